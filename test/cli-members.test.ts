import { describe, expect, it } from "vitest";
import { keyward, refusedWith, servedForCli } from "./helpers/cli.ts";
import { ACCEPT, addMember } from "./helpers/members.ts";
import { gql } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

// `keyward whoami` and `keyward members list|invite|role|remove` against a running Keyward.

const live = servedForCli();

describe("keyward whoami", () => {
  it("says who the key belongs to, in text and --json; a service key has no user", async () => {
    const org = await seedOrganization("CLI whoami");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    const json = await keyward(["whoami", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      user: { email: org.user.email },
      organization: { slug: org.organization.slug },
      role: "ADMIN",
      apiKey: { kind: "PERSONAL" },
      scopes: expect.arrayContaining(["KEYS_WRITE", "MEMBERS_WRITE"]),
    });
    const text = await keyward(["whoami"], env);
    expect(text.stdout).toContain(org.user.email);
    expect(text.stdout).not.toContain(org.adminKey);
    const service = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ"] });
    expect(JSON.parse((await keyward(["whoami", "--json"], { ...env, KEYWARD_KEY: service.secret })).stdout)).toMatchObject({ user: null, scopes: ["KEYS_READ"] });
  }, 60_000);

  it("exits 1 with the code for a refused key and 2 for wrong usage", async () => {
    expect(refusedWith(await keyward(["whoami", "--json"], { KEYWARD_URL: live.url, KEYWARD_KEY: "kw_live_not-a-key" }))).toEqual({ exit: 1, code: "UNAUTHENTICATED" });
    expect((await keyward(["whoami", "extra"], { KEYWARD_URL: live.url, KEYWARD_KEY: "kw_live_x" })).code).toBe(2);
    expect((await keyward(["whoami"], { KEYWARD_URL: live.url, KEYWARD_KEY: "" })).code).toBe(2);
  }, 60_000);
});

describe("keyward members", () => {
  it("invites (the code joins them), lists, changes a role and removes, by user id or email", async () => {
    const org = await seedOrganization("CLI members");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    const email = `ada-${crypto.randomUUID()}@example.com`;
    const invited = await keyward(["members", "invite", "--email", email, "--json"], env);
    expect(invited.code, invited.stderr).toBe(0);
    const { invitation, code } = JSON.parse(invited.stdout);
    expect(invitation).toMatchObject({ email, role: "MEMBER" });
    const accepted = await gql(ACCEPT, { variables: { input: { code } } });
    const userId = accepted.data?.acceptInvitation?.user.id as string;
    expect(userId).toBeTruthy();

    const listed = await keyward(["members", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((m: { user: { email: string }; role: string }) => [m.user.email, m.role])).toEqual([
      [org.user.email, "ADMIN"],
      [email, "MEMBER"],
    ]);
    expect((await keyward(["members", "list"], env)).stdout).toContain(email);

    const promoted = await keyward(["members", "role", email.toUpperCase(), "--role", "admin", "--json"], env);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({ role: "ADMIN", user: { id: userId } });

    const removed = await keyward(["members", "remove", userId, "--json"], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removedUserId: userId, revokedApiKeyIds: [expect.any(String)] });
    expect(refusedWith(await keyward(["members", "remove", email, "--json"], env))).toEqual({ exit: 1, code: "NOT_FOUND" });
  }, 60_000);

  it("passes the server's refusals on with exit code 1 and their code", async () => {
    const org = await seedOrganization("CLI member refusals");
    const member = await addMember(org.adminKey);
    const asMember = { KEYWARD_URL: live.url, KEYWARD_KEY: member.key };
    const asAdmin = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
    expect(refusedWith(await keyward(["members", "invite", "--email", "x@example.com", "--json"], asMember))).toEqual({ exit: 1, code: "FORBIDDEN" });
    expect(refusedWith(await keyward(["members", "role", member.userId, "--role", "admin", "--json"], asMember))).toEqual({ exit: 1, code: "FORBIDDEN" });
    expect(refusedWith(await keyward(["members", "remove", org.user.id, "--json"], asMember))).toEqual({ exit: 1, code: "FORBIDDEN" });
    expect(refusedWith(await keyward(["members", "role", org.user.id, "--role", "member", "--json"], asAdmin))).toEqual({ exit: 1, code: "LAST_ADMIN" });
    expect(refusedWith(await keyward(["members", "invite", "--email", member.email, "--json"], asAdmin))).toEqual({ exit: 1, code: "CONFLICT" });
    const keysOnly = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ"] });
    expect(refusedWith(await keyward(["members", "list", "--json"], { ...asAdmin, KEYWARD_KEY: keysOnly.secret }))).toEqual({ exit: 1, code: "FORBIDDEN" });
  }, 60_000);

  it("refuses wrong usage with exit code 2 before any request", async () => {
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: "kw_live_anything" };
    for (const args of [
      ["members", "invite"],
      ["members", "invite", "--email", "a@example.com", "--role", "owner"],
      ["members", "role", "some-user"],
      ["members", "role", "--role", "admin"],
      ["members", "role", "some-user", "--role", "boss"],
      ["members", "remove"],
      ["members", "list", "--bogus"],
      ["members", "frobnicate"],
    ]) {
      const result = await keyward(args, env);
      expect.soft({ code: result.code, lines: result.stderr.trim().split("\n").length }, args.join(" ")).toEqual({ code: 2, lines: 1 });
    }
    expect((await keyward(["members", "list"], { KEYWARD_URL: live.url, KEYWARD_KEY: "" })).code).toBe(2);
  }, 60_000);
});
