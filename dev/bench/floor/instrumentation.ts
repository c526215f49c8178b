// Shadows the gateway's instrumentation.ts (found upwards from this folder): the floor starts no worker.
export function register(): void {}
