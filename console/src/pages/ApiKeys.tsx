import { ApiKeys } from "../components/ApiKeys.tsx";
import { useTitle } from "../hooks.ts";

/** The console's home page: the shared key page (also embedded in products as `<keyward-api-keys>`). */
export function ApiKeysPage() {
  useTitle("API keys");
  return <ApiKeys />;
}
