// English, the reference language and the language of everything the API and the logs say. Only this one file of
// messages is imported here, so the browser code that needs an English default does not carry every language.
import en from "./messages/en.json";
import { createTranslator, type Messages } from "./translate";

export const ENGLISH_MESSAGES: Messages = en;

export const english = createTranslator("en", ENGLISH_MESSAGES);
