import type { SeedUser } from "./server";

/** Demo users for the standalone emulator and the sandbox mode. */
export const DEMO_USERS: SeedUser[] = [
  { id: 10001, firstName: "Jane", lastName: "Smith", login: "jane.smith@example.com", balance: "12.50" },
  { id: 10002, firstName: "Oleg", lastName: "Ivanov", login: "oleg@example.com", balance: "0.00" },
  { id: 10003, legalName: "Acme Logistics", login: "fleet@acme.example", balance: "240.00" },
  { id: 10004, firstName: "Sam", lastName: "Driver", login: "driver@acme.example", balance: "0.00", subUser: true },
];
