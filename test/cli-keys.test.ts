import { describe, expect, it } from "vitest";
import { keyward, refusedWith, servedForCli } from "./helpers/cli.ts";
import { addMember } from "./helpers/members.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

// `keyward keys disable|enable|rename|delete|verify` against a running Keyward: exit 0 done,
// 1 refused (the code printed; with --json `{ error: { code } }`), 2 wrong usage before any request.

const live = servedForCli();

describe("keyward keys disable|enable|rename|delete|verify", () => {
  it("disables, enables and renames a key, in text and --json", async () => {
    const org = await seedOrganization("CLI keys");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    const key = await createKey(org.adminKey, { name: "worker" });

    const disabled = await keyward(["keys", "disable", key.id, "--json"], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ id: key.id, status: "DISABLED", name: "worker" });
    expect(refusedWith(await keyward(["whoami", "--json"], { KEYWARD_URL: live.url, KEYWARD_KEY: key.secret }))).toEqual({ exit: 1, code: "API_KEY_DISABLED" });

    const enabled = await keyward(["keys", "enable", key.id], env);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toContain(key.id);
    expect(enabled.stdout).toContain("ENABLED");

    const renamed = await keyward(["keys", "rename", key.id, "--name", "worker (eu)", "--json"], env);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ id: key.id, name: "worker (eu)", status: "ENABLED" });
  }, 60_000);

  it("deletes a key; one used in the last 24 h only with --confirm (CONFIRMATION_REQUIRED, exit 1, without)", async () => {
    const org = await seedOrganization("CLI delete");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    const unused = await createKey(org.adminKey, { name: "never used" });
    const deleted = await keyward(["keys", "delete", unused.id, "--json"], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deletedApiKeyId: unused.id });

    const used = await createKey(org.adminKey, { name: "used" });
    expect((await keyward(["whoami"], { KEYWARD_URL: live.url, KEYWARD_KEY: used.secret })).code).toBe(0);
    const refused = await keyward(["keys", "delete", used.id, "--json"], env);
    expect(refusedWith(refused)).toEqual({ exit: 1, code: "CONFIRMATION_REQUIRED" });
    expect(refused.stderr).toContain("CONFIRMATION_REQUIRED");
    const confirmed = await keyward(["keys", "delete", used.id, "--confirm"], env);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain(used.id);
    expect(refusedWith(await keyward(["keys", "delete", used.id, "--confirm", "--json"], env))).toEqual({ exit: 1, code: "NOT_FOUND" });
  }, 60_000);

  it("verifies a key: exit 0 and its key when valid, exit 1 and the code when not", async () => {
    const org = await seedOrganization("CLI verify");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    const presented = await createKey(org.adminKey, { name: "presented", scopes: ["KEYS_READ"] });
    const valid = await keyward(["keys", "verify", presented.secret, "--json"], env);
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, code: null, scopes: ["KEYS_READ"], key: { id: presented.id, name: "presented" } });
    expect(valid.stdout).not.toContain(presented.secret);

    expect((await keyward(["keys", "disable", presented.id], env)).code).toBe(0);
    const invalid = await keyward(["keys", "verify", presented.secret, "--json"], env);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ valid: false, code: "API_KEY_DISABLED" });
    const text = await keyward(["keys", "verify", "kw_live_not-a-key"], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("UNAUTHENTICATED");
  }, 60_000);

  it("passes the server's refusals on with exit code 1 and their code", async () => {
    const org = await seedOrganization("CLI refusals");
    const member = await addMember(org.adminKey);
    const admins = await createKey(org.adminKey, { name: "the admin's" });
    const asMember = { KEYWARD_URL: live.url, KEYWARD_KEY: member.key };
    // A colleague's key is not the member's to change (FORBIDDEN, as README says).
    for (const args of [
      ["keys", "disable", admins.id],
      ["keys", "enable", admins.id],
      ["keys", "rename", admins.id, "--name", "mine now"],
      ["keys", "delete", admins.id, "--confirm"],
    ]) {
      expect.soft(refusedWith(await keyward([...args, "--json"], asMember)), args.join(" ")).toEqual({ exit: 1, code: "FORBIDDEN" });
    }
    const readOnly = await createKey(org.adminKey, { name: "read only", scopes: ["KEYS_READ"] });
    const verify = await keyward(["keys", "verify", admins.secret, "--json"], { KEYWARD_URL: live.url, KEYWARD_KEY: readOnly.secret });
    expect(refusedWith(verify)).toEqual({ exit: 1, code: "FORBIDDEN" });
  }, 60_000);

  it("refuses wrong usage with exit code 2 before any request", async () => {
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: "kw_live_anything" };
    for (const args of [
      ["keys", "disable"],
      ["keys", "enable"],
      ["keys", "rename", "some-id"],
      ["keys", "rename"],
      ["keys", "delete"],
      ["keys", "delete", "some-id", "--confirm=yes"],
      ["keys", "verify"],
      ["keys", "frobnicate", "some-id"],
    ]) {
      const result = await keyward(args, env);
      expect.soft({ code: result.code, lines: result.stderr.trim().split("\n").length }, args.join(" ")).toEqual({ code: 2, lines: 1 });
    }
    expect((await keyward(["keys", "disable", "some-id"], { KEYWARD_URL: live.url, KEYWARD_KEY: "" })).code).toBe(2);
  }, 60_000);
});
