#!/usr/bin/env node
// The `keyward` command. Keyward runs from its TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("../server/cli/program.ts");
