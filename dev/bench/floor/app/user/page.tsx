// Rendered per request: one Navixy call (panel/user/read), a heading and one small client component.
import { Counter } from "./counter";
import { readUser } from "./navixy";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function UserPage({ searchParams }: { searchParams: SearchParams }) {
  const raw = (await searchParams).id;
  const user = await readUser(Number(Array.isArray(raw) ? raw[0] : raw));
  return (
    <main>
      <h1>Add money for {user.first_name.slice(0, 1)}***</h1>
      <Counter />
    </main>
  );
}
