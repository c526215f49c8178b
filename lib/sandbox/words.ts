// What sandbox mode says to the payer, in each of the payer's languages: the "no real money" banner and the page
// footer. Kept with the sandbox and out of lib/i18n/messages, so that none of it reaches the browser's code when
// SANDBOX is not set: only server components and the HTML error pages use it, in sandbox mode.
import type { Locale } from "../i18n/locales";

export interface SandboxWords {
  /** The banner's first words, e.g. "Sandbox: no real money". */
  banner: string;
  detail: string;
  /** The link to /sandbox. */
  overview: string;
  /** The page footer in sandbox mode. */
  footer: string;
}

export const SANDBOX_WORDS: Readonly<Record<Locale, SandboxWords>> = {
  en: {
    banner: "Sandbox: no real money",
    detail: "Stripe and Navixy are emulated on this computer; cards are test cards.",
    overview: "Sandbox overview",
    footer: "Sandbox: payments go to a Stripe emulator on this computer. Use test cards only; no real money moves.",
  },
  ar: {
    banner: "بيئة تجريبية: لا أموال حقيقية",
    detail: "تتم محاكاة Stripe وNavixy على هذا الكمبيوتر؛ البطاقات بطاقات اختبار.",
    overview: "نظرة عامة على البيئة التجريبية",
    footer: "بيئة تجريبية: تذهب المدفوعات إلى محاكي Stripe على هذا الكمبيوتر. استخدم بطاقات الاختبار فقط؛ لا تنتقل أي أموال حقيقية.",
  },
  cs: {
    banner: "Sandbox: žádné skutečné peníze",
    detail: "Stripe a Navixy jsou na tomto počítači emulovány; karty jsou testovací.",
    overview: "Přehled sandboxu",
    footer: "Sandbox: platby jdou do emulátoru Stripe na tomto počítači. Používejte jen testovací karty; žádné skutečné peníze se nepohybují.",
  },
  de: {
    banner: "Sandbox: kein echtes Geld",
    detail: "Stripe und Navixy werden auf diesem Computer emuliert; alle Karten sind Testkarten.",
    overview: "Sandbox-Übersicht",
    footer: "Sandbox: Zahlungen gehen an einen Stripe-Emulator auf diesem Computer. Nur Testkarten verwenden; es fließt kein echtes Geld.",
  },
  es: {
    banner: "Entorno de pruebas: sin dinero real",
    detail: "Stripe y Navixy se emulan en este ordenador; las tarjetas son de prueba.",
    overview: "Resumen del entorno de pruebas",
    footer: "Entorno de pruebas: los pagos van a un emulador de Stripe en este ordenador. Use solo tarjetas de prueba; no se mueve dinero real.",
  },
  fa: {
    banner: "محیط آزمایشی: بدون پول واقعی",
    detail: "Stripe و Navixy روی این رایانه شبیه‌سازی می‌شوند؛ کارت‌ها آزمایشی هستند.",
    overview: "نمای کلی محیط آزمایشی",
    footer: "محیط آزمایشی: پرداخت‌ها به شبیه‌ساز Stripe روی این رایانه می‌روند. فقط از کارت‌های آزمایشی استفاده کنید؛ هیچ پول واقعی جابه‌جا نمی‌شود.",
  },
  fr: {
    banner: "Bac à sable : pas d’argent réel",
    detail: "Stripe et Navixy sont émulés sur cet ordinateur ; les cartes sont des cartes de test.",
    overview: "Vue d’ensemble du bac à sable",
    footer: "Bac à sable : les paiements vont à un émulateur de Stripe sur cet ordinateur. Utilisez uniquement des cartes de test ; aucun argent réel n’est débité.",
  },
  he: {
    banner: "סביבת ניסוי: אין כסף אמיתי",
    detail: "Stripe ו-Navixy מדומים במחשב הזה; הכרטיסים הם כרטיסי בדיקה.",
    overview: "סקירת סביבת הניסוי",
    footer: "סביבת ניסוי: התשלומים עוברים לאמולטור של Stripe במחשב הזה. השתמשו בכרטיסי בדיקה בלבד; שום כסף אמיתי אינו עובר.",
  },
  id: {
    banner: "Sandbox: bukan uang sungguhan",
    detail: "Stripe dan Navixy diemulasikan di komputer ini; kartunya adalah kartu uji.",
    overview: "Ringkasan sandbox",
    footer: "Sandbox: pembayaran dikirim ke emulator Stripe di komputer ini. Gunakan kartu uji saja; tidak ada uang sungguhan yang berpindah.",
  },
  it: {
    banner: "Sandbox: nessun denaro reale",
    detail: "Stripe e Navixy sono emulati su questo computer; le carte sono carte di prova.",
    overview: "Panoramica della sandbox",
    footer: "Sandbox: i pagamenti vanno a un emulatore di Stripe su questo computer. Usa solo carte di prova; non si muove denaro reale.",
  },
  ja: {
    banner: "サンドボックス：実際のお金は動きません",
    detail: "Stripe と Navixy はこのコンピューター上でエミュレートされています。カードはテストカードです。",
    overview: "サンドボックスの概要",
    footer: "サンドボックス：支払いはこのコンピューター上の Stripe エミュレーターに送られます。テストカードのみを使用してください。実際のお金は動きません。",
  },
  kk: {
    banner: "Құмсалғыш: нақты ақша жоқ",
    detail: "Stripe және Navixy осы компьютерде эмуляцияланады; карталар — сынақ карталары.",
    overview: "Құмсалғышқа шолу",
    footer: "Құмсалғыш: төлемдер осы компьютердегі Stripe эмуляторына жіберіледі. Тек сынақ карталарын пайдаланыңыз; нақты ақша қозғалмайды.",
  },
  ko: {
    banner: "샌드박스: 실제 돈이 아닙니다",
    detail: "Stripe와 Navixy는 이 컴퓨터에서 에뮬레이션됩니다. 카드는 테스트 카드입니다.",
    overview: "샌드박스 개요",
    footer: "샌드박스: 결제는 이 컴퓨터의 Stripe 에뮬레이터로 전송됩니다. 테스트 카드만 사용하세요. 실제 돈은 오가지 않습니다.",
  },
  nl: {
    banner: "Sandbox: geen echt geld",
    detail: "Stripe en Navixy worden op deze computer nagebootst; de kaarten zijn testkaarten.",
    overview: "Sandbox-overzicht",
    footer: "Sandbox: betalingen gaan naar een Stripe-emulator op deze computer. Gebruik alleen testkaarten; er wordt geen echt geld verplaatst.",
  },
  pl: {
    banner: "Piaskownica: bez prawdziwych pieniędzy",
    detail: "Stripe i Navixy są emulowane na tym komputerze; karty są kartami testowymi.",
    overview: "Przegląd piaskownicy",
    footer: "Piaskownica: płatności trafiają do emulatora Stripe na tym komputerze. Używaj wyłącznie kart testowych; nie przepływają żadne prawdziwe pieniądze.",
  },
  pt: {
    banner: "Sandbox: sem dinheiro real",
    detail: "A Stripe e a Navixy são emuladas neste computador; os cartões são cartões de teste.",
    overview: "Visão geral do sandbox",
    footer: "Sandbox: os pagamentos vão para um emulador da Stripe neste computador. Use apenas cartões de teste; nenhum dinheiro real é movimentado.",
  },
  ro: {
    banner: "Sandbox: fără bani reali",
    detail: "Stripe și Navixy sunt emulate pe acest computer; cardurile sunt carduri de test.",
    overview: "Prezentarea sandboxului",
    footer: "Sandbox: plățile merg la un emulator Stripe de pe acest computer. Folosește doar carduri de test; nu se mută bani reali.",
  },
  ru: {
    banner: "Песочница: без настоящих денег",
    detail: "Stripe и Navixy эмулируются на этом компьютере; карты — тестовые.",
    overview: "Обзор песочницы",
    footer: "Песочница: платежи уходят в эмулятор Stripe на этом компьютере. Используйте только тестовые карты; настоящие деньги не списываются.",
  },
  tr: {
    banner: "Sanal ortam: gerçek para yok",
    detail: "Stripe ve Navixy bu bilgisayarda taklit ediliyor; kartlar test kartlarıdır.",
    overview: "Sanal ortam özeti",
    footer: "Sanal ortam: ödemeler bu bilgisayardaki bir Stripe emülatörüne gider. Yalnızca test kartları kullanın; gerçek para hareket etmez.",
  },
  uk: {
    banner: "Пісочниця: без справжніх грошей",
    detail: "Stripe і Navixy емулюються на цьому комп’ютері; картки — тестові.",
    overview: "Огляд пісочниці",
    footer: "Пісочниця: платежі йдуть до емулятора Stripe на цьому комп’ютері. Використовуйте лише тестові картки; справжні гроші не списуються.",
  },
  vi: {
    banner: "Môi trường thử nghiệm: không dùng tiền thật",
    detail: "Stripe và Navixy được giả lập trên máy tính này; các thẻ là thẻ thử nghiệm.",
    overview: "Tổng quan môi trường thử nghiệm",
    footer: "Môi trường thử nghiệm: thanh toán được gửi đến trình giả lập Stripe trên máy tính này. Chỉ dùng thẻ thử nghiệm; không có tiền thật nào được chuyển.",
  },
  zh: {
    banner: "沙盒：不涉及真实资金",
    detail: "Stripe 和 Navixy 在本机上模拟运行；所用卡均为测试卡。",
    overview: "沙盒概览",
    footer: "沙盒：付款发送到本机上的 Stripe 模拟器。请仅使用测试卡；不会产生真实资金流动。",
  },
};
