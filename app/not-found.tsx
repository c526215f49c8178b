import type { Metadata } from "next";
import { headers } from "next/headers";
import { translatorFor } from "@/lib/i18n/messages";
import { localeFromHeaders } from "@/lib/i18n/request";

async function translator() {
  return translatorFor(localeFromHeaders(await headers()) ?? "en");
}

export async function generateMetadata(): Promise<Metadata> {
  const t = await translator();
  return { title: t.t("meta.titleWith", { page: t.t("notFound.pageTitle") }) };
}

export default async function NotFound() {
  const t = await translator();
  return (
    <div className="result" data-tone="error" data-testid="not-found">
      <span className="result-icon" aria-hidden="true">
        ?
      </span>
      <h1>{t.t("notFound.title")}</h1>
      <p>{t.t("notFound.message")}</p>
    </div>
  );
}
