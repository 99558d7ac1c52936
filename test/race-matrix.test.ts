import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret, parseKey } from "../server/auth/key.ts";
import { scopesOfRole } from "../server/auth/scopes.ts";
import type { ApiKey, ApiKeyStatus, AuditEvent, Membership, Role } from "../server/generated/prisma/client.ts";
import { schema } from "../server/schema/index.ts";
import { firstInstance, secondInstance, settled, type Instance, type OwnInstance } from "./helpers/instances.ts";
import { addMember } from "./helpers/members.ts";
import { createKey, seedOrganization, type SeededOrganization } from "./helpers/seed.ts";

/**
 * Two Keyward instances on one PostgreSQL, and every pair of changes to one key fired at once,
 * one on each instance. After each round the state must be one that some serial order of the
 * acknowledged changes explains: the checks are invariants of the final state (database rows,
 * audit trail, and what authenticates on each instance), never "a race happened", so a correct
 * server passes every round however the requests interleave.
 *
 * Each broken invariant is reported with its number:
 *   [0] a refused operation is refused with a contract code, never a 500 (a race is no excuse)
 *   [1] REVOKED is terminal: an acknowledged revoke/removeOwner leaves K REVOKED or deleted; a later enable is refused
 *   [2] exactly the secrets the final row allows (status, owner's membership, current or live previous hash) work, on both instances
 *   [3] rotations lose nothing: the current secret is an acknowledged one, the previous one is the secret it replaced
 *       (when it had a grace), and an acknowledged grace-0 rotation ends every earlier secret
 *   [4] the audit trail agrees: status events ({ from, to }) form one chain ending at the final status; one
 *       API_KEY_ROTATED per acknowledged rotation; an acknowledged delete leaves one API_KEY_DELETED and no row
 *   [5] removing the owner revokes their keys; demoting them narrows K to MEMBER scopes on both instances
 *   [6] an acknowledged rename sticks
 *   [R] after a removal that raced the member's own writes, none of their keys is alive, even once they are invited again
 *
 * PostgreSQL only: PGlite runs one query at a time, which hides exactly these races. The
 * schema-coverage test below needs no database and runs everywhere.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * Rounds per pair. Round r starts with K DISABLED when r is odd (so `enable` changes something in
 * half the rounds) and launches the second operation first when ⌊r/2⌋ is odd: four rounds cover
 * both starting states in both launch orders. A lost update needs a particular interleaving: on
 * today's code revoke × disable and revoke × enable broke 8 of 24 rounds each, so four rounds catch
 * such a race about four times in five. To hammer one pair while fixing it:
 * `KEYWARD_RACE_ROUNDS=40 npx vitest run test/race-matrix.test.ts -t "revoke × disable"`.
 */
const ROUNDS_PER_PAIR = Number(process.env.KEYWARD_RACE_ROUNDS) || 4;
const GRACE_RACE_ROUNDS = 16;
const MANY_ROTATIONS = 20;
const MANY_ROTATION_ROUNDS = 4;
const REMOVAL_ROUNDS = 8;
/** Keys the member creates with their own key while being removed, spread over both instances. */
const CREATIONS_DURING_REMOVAL = 4;

const VIEWER = `{ viewer { scopes } }`;
const GRACE = 3600;

type OperationName = "revoke" | "disable" | "enable" | "rotate0" | "rotate3600" | "delete" | "rename" | "removeOwner" | "demoteOwner";

/** What an operation acts on, and with which key. */
interface Aim {
  /** The caller: admin A's key in the matrix (organization-wide), M's own key in the removal races. */
  callerKey: string;
  keyId: string;
  /** K's owner, M. */
  ownerId: string;
}

/** K, the key under fire, and the people around it. */
interface Target extends Aim {
  organizationId: string;
  /** S0, K's secret before the round. */
  original: string;
  startedDisabled: boolean;
}

interface Outcome {
  /** 200, no GraphQL error, payload non-null. */
  acknowledged: boolean;
  status: number;
  code: string | undefined;
  /** Rotations: the new full key when acknowledged. */
  secret?: string;
  grace?: number;
  /** Renames: the name asked for. */
  newName?: string;
  /** Status changes: the status the payload reports. */
  keyStatus?: string;
}

interface Operation {
  /** The schema mutation this operation exercises (the coverage test reads it). */
  mutation: string;
  run(on: Instance, aim: Aim, tag: string): Promise<Outcome>;
}

async function mutate(on: Instance, mutation: string, selection: string, input: Record<string, unknown>, key: string) {
  const type = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
  const response = await on.request(`mutation($i: ${type}!) { ${mutation}(input: $i) { ${selection} } }`, { key, variables: { i: input } });
  const payload = response.data?.[mutation];
  const outcome: Outcome = {
    acknowledged: response.status === 200 && !response.errors && payload != null,
    status: response.status,
    code: response.code,
  };
  return { outcome, payload };
}

const statusChange = (mutation: string): Operation => ({
  mutation,
  async run(on, t) {
    const { outcome, payload } = await mutate(on, mutation, "apiKey { id status }", { id: t.keyId }, t.callerKey);
    return { ...outcome, keyStatus: payload?.apiKey?.status };
  },
});

const rotation = (grace: number): Operation => ({
  mutation: "rotateApiKey",
  async run(on, t) {
    const { outcome, payload } = await mutate(on, "rotateApiKey", "apiKey { id } secret", { id: t.keyId, gracePeriodSeconds: grace }, t.callerKey);
    return { ...outcome, grace, secret: outcome.acknowledged ? (payload.secret as string) : undefined };
  },
});

const operations = {
  revoke: statusChange("revokeApiKey"),
  disable: statusChange("disableApiKey"),
  enable: statusChange("enableApiKey"),
  rotate0: rotation(0),
  rotate3600: rotation(GRACE),
  delete: {
    mutation: "deleteApiKey",
    run: async (on, t) => (await mutate(on, "deleteApiKey", "deletedApiKeyId", { id: t.keyId, confirm: true }, t.callerKey)).outcome,
  },
  rename: {
    mutation: "renameApiKey",
    async run(on, t, tag) {
      const newName = `renamed ${tag}`;
      return { ...(await mutate(on, "renameApiKey", "apiKey { id name }", { id: t.keyId, name: newName }, t.callerKey)).outcome, newName };
    },
  },
  removeOwner: {
    mutation: "removeMember",
    run: async (on, t) => (await mutate(on, "removeMember", "removedUserId", { userId: t.ownerId }, t.callerKey)).outcome,
  },
  demoteOwner: {
    mutation: "updateMemberRole",
    run: async (on, t) =>
      (await mutate(on, "updateMemberRole", "membership { role }", { userId: t.ownerId, role: "MEMBER" }, t.callerKey)).outcome,
  },
} satisfies Record<OperationName, Operation>;

/** Mutations deliberately outside the matrix, and why. A new mutation must land in one list or the other. */
const notInMatrix: Record<string, string> = {
  createApiKey: "creates another key; its race with the owner's removal is tested below",
  connectAgent: "creates another key (createApiKey for an agent)",
  acceptInvitation: "creates a membership and a new key; changes no existing key",
  inviteMember: "changes no key and no membership",
  cancelInvitation: "changes no key and no membership",
  signUp: "creates a new organization",
  verifyApiKey:
    "reads a key; its only writes are a credit spend (one atomic UPDATE … WHERE remaining >= cost) and a rate-limit count, raced in test/key-policies-instances.test.ts",
  updateApiKey:
    "changes a key's limits deciding on the key's locked row (lockKey, as rename does), so it serializes with every key operation; not yet raced here; cross-instance effect in test/key-policies-instances.test.ts",
  createPlatformKey: "creates a platform key; changes no organization's key",
  revokePlatformKey:
    "changes only a platform key, locked FOR UPDATE; every platform change re-reads its key FOR SHARE (platformChange); test/platform-keys.test.ts, test/platform-instances.test.ts",
  createOrganization: "creates a new organization",
  addMember: "creates a membership; changes no existing key",
  createConsoleSession:
    "creates a sign-in link and an embedded session; changes no key; the member is read FOR SHARE, and the token re-reads the membership on every request",
  updateOrganizationPolicy:
    "changes no key; it locks the organization FOR UPDATE, so keys being issued or rotated under the old policy (which read it FOR KEY SHARE) commit first; the dormant-key sweep's races: test/organization-policy.test.ts",
  setPermissionCatalog:
    "changes no key (keys keep the permissions they carry); parallel changes of one catalogue are serialized by an advisory lock, raced in test/permissions.test.ts",
  updateOrganization: "changes no key's status; touches the organization's keys so cached tenant details follow (test/platform-instances.test.ts)",
  deleteOrganization:
    "locks the organization FOR UPDATE before reading its keys (a racing key insert holds KEY SHARE on it), so every key is touched; not yet raced against each key operation here; test/platform-instances.test.ts",
};

it("every mutation of the schema is in the race matrix or excluded from it with a reason", () => {
  const mutations = Object.keys(schema.getMutationType()!.getFields());
  const covered = new Set(Object.values(operations).map((op) => op.mutation));
  expect(mutations.filter((m) => !covered.has(m) && !(m in notInMatrix))).toEqual([]);
  expect(Object.keys(notInMatrix).filter((m) => covered.has(m) || !mutations.includes(m))).toEqual([]);
});

/** Runs one operation of the table (through the table's type, whatever shape its entry has). */
const fire = (op: OperationName, on: Instance, aim: Aim, tag: string): Promise<Outcome> => (operations[op] as Operation).run(on, aim, tag);

const names = Object.keys(operations) as OperationName[];
const pairs = names.flatMap((a, i) => names.slice(i).map((b) => [a, b] as [OperationName, OperationName]));

/** Operations fired at once, in launch order, each on its instance. */
type Plan = Array<{ op: OperationName; on: Instance }>;

interface Fired {
  op: OperationName;
  on: Instance;
  outcome: Outcome;
}

interface Candidate {
  label: string;
  secret: string;
  /** Rotations only. */
  grace?: number;
}

interface Probe {
  works: boolean;
  refused: boolean;
  status: number;
  code: string | undefined;
  scopes: string[];
}

interface FinalState {
  row: ApiKey | null;
  membership: Membership | null;
  events: AuditEvent[];
  /** Every PERSONAL key of the owner in the organization. */
  ownerKeys: ApiKey[];
}

/** A status event: `to` from its action, `from` as recorded in its metadata. */
type Step = { from?: ApiKeyStatus; to: ApiKeyStatus };

const STATUSES: readonly ApiKeyStatus[] = ["ENABLED", "DISABLED", "REVOKED"];
const STATUS_EVENTS: Record<string, ApiKeyStatus> = { API_KEY_ENABLED: "ENABLED", API_KEY_DISABLED: "DISABLED", API_KEY_REVOKED: "REVOKED" };
const last4 = (secret: string) => `…${secret.slice(-4)}`;
const hashOf = (key: string) => hashSecret(parseKey(key)!.secret);
const unexpected = (outcome: Outcome) => !outcome.acknowledged && (outcome.status >= 500 || outcome.code === undefined);

/** The key's audit trail in one line: status events with their metadata, runs of other actions counted. */
function auditLine(events: AuditEvent[]): string {
  const parts: string[] = [];
  let run = 0;
  events.forEach((e, i) => {
    if (e.action in STATUS_EVENTS) return void parts.push(`${e.action}${JSON.stringify(e.metadata)}`);
    run++;
    if (events[i + 1]?.action !== e.action) {
      parts.push(run > 1 ? `${e.action} ×${run}` : e.action);
      run = 0;
    }
  });
  return parts.join(", ");
}

/**
 * Can the steps be put in one order, from `at`, each a real change that starts where the last one
 * ended and never out of REVOKED, ending at `final` (anywhere when deleted)? A step without a
 * recorded `from` fits wherever it is a real change, so the trail is checked even before events carry one.
 */
function formsChain(steps: Step[], at: ApiKeyStatus, final: ApiKeyStatus | null, used: boolean[] = steps.map(() => false), depth = 0): boolean {
  if (depth === steps.length) return final === null || at === final;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (used[i] || at === "REVOKED" || step.to === at || (step.from !== undefined && step.from !== at)) continue;
    used[i] = true;
    if (formsChain(steps, step.to, final, used, depth + 1)) return true;
    used[i] = false;
  }
  return false;
}

describe.runIf(onPostgres)("races between two instances (PostgreSQL)", () => {
  let one: Instance;
  let two: OwnInstance;
  let instances: Instance[];

  beforeAll(async () => {
    one = await firstInstance();
    two = await secondInstance(process.env.DATABASE_URL!);
    instances = [one, two];
  });
  afterAll(async () => {
    await two?.close();
  });

  const prisma = () => one.services.prisma;

  async function probe(on: Instance, secret: string): Promise<Probe> {
    const response = await on.request<{ viewer: { scopes: string[] } }>(VIEWER, { key: secret });
    const works = response.status === 200 && !response.errors && Boolean(response.data?.viewer);
    return {
      works,
      refused: response.status === 401 || response.status === 403,
      status: response.status,
      code: response.code,
      scopes: works ? response.data!.viewer.scopes : [],
    };
  }

  /** A fresh organization; M invited as ADMIN (so demoting M narrows K); K created by M. */
  async function prepare(startDisabled: boolean): Promise<Target> {
    const org = await seedOrganization("Race");
    const owner = await addMember(org.adminKey, "ADMIN");
    const k = await createKey(owner.key, { name: "K" });
    const t: Target = {
      organizationId: org.organization.id,
      callerKey: org.adminKey,
      ownerId: owner.userId,
      keyId: k.id,
      original: k.secret,
      startedDisabled: startDisabled,
    };
    if (startDisabled) {
      const disabled = await fire("disable", one, t, "setup");
      if (!disabled.acknowledged) throw new Error(`setup: disabling K failed (${disabled.code})`);
    }
    return t;
  }

  /** K cached on both instances just before the round, once every setup change has reached both caches. */
  async function warm(t: Target): Promise<void> {
    await settled(instances);
    for (const on of instances) {
      const warm = await probe(on, t.original);
      if (warm.works === t.startedDisabled) throw new Error(`setup: K ${warm.works ? "works" : "is refused"} on ${on.name}`);
      if (on.services.verifier.cache.peek(t.keyId) === undefined) throw new Error(`setup: K is not cached on ${on.name}`);
    }
  }

  async function finalState(t: Target): Promise<FinalState> {
    const [row, membership, events, ownerKeys] = await Promise.all([
      prisma().apiKey.findUnique({ where: { id: t.keyId } }),
      prisma().membership.findUnique({ where: { organizationId_userId: { organizationId: t.organizationId, userId: t.ownerId } } }),
      prisma().auditEvent.findMany({ where: { organizationId: t.organizationId, targetId: t.keyId }, orderBy: { id: "asc" } }),
      prisma().apiKey.findMany({ where: { organizationId: t.organizationId, ownerId: t.ownerId, kind: "PERSONAL" } }),
    ]);
    return { row, membership, events, ownerKeys };
  }

  /** Fires `plan` at once (in array order), checks every invariant; returns a report of what broke, or undefined. */
  async function round(label: string, plan: Plan, t: Target): Promise<string | undefined> {
    await warm(t);
    const fired: Fired[] = await Promise.all(
      plan.map(async ({ op, on }, i) => ({ op, on, outcome: await fire(op, on, t, `#${i + 1} on ${on.name}`) })),
    );
    await settled(instances);

    const violations: string[] = [];
    const acked = (...ops: OperationName[]) => fired.filter((f) => f.outcome.acknowledged && ops.includes(f.op));
    for (const f of fired) {
      if (unexpected(f.outcome)) violations.push(`[0] ${f.op} on ${f.on.name} failed unexpectedly (${f.outcome.status} ${f.outcome.code ?? "no code"})`);
    }

    // 1. A revoked key is never brought back, not even by a request sent afterwards.
    let state = await finalState(t);
    if (state.row?.status === "REVOKED") {
      const again = await fire("enable", two, t, "follow-up");
      if (again.acknowledged && again.keyStatus !== "REVOKED") violations.push(`[1] enableApiKey after the round was acknowledged on a REVOKED key, answering ${again.keyStatus}`);
      await settled(instances);
      state = await finalState(t);
      if (state.row && state.row.status !== "REVOKED") violations.push(`[1] a follow-up enableApiKey moved K from REVOKED to ${state.row.status}`);
    }
    const { row, membership, events, ownerKeys } = state;
    const revokers = acked("revoke", "removeOwner");
    if (revokers.length > 0 && row && row.status !== "REVOKED") {
      violations.push(`[1] ${revokers.map((f) => f.op).join(" and ")} acknowledged, but K ends ${row.status}`);
    }

    // 2. Exactly the secrets the final row allows work, on every instance.
    const rotations = acked("rotate0", "rotate3600");
    const candidates: Candidate[] = [
      { label: "S0", secret: t.original },
      ...rotations.map((f, i) => ({ label: `${f.op}#${i + 1}@${f.on.name.replace("instance ", "i")}`, secret: f.outcome.secret!, grace: f.outcome.grace })),
    ];
    const now = Date.now();
    const ownerIsMember = membership !== null;
    const liveHash = (hash: string) =>
      row !== null &&
      (hash === row.secretHash || (hash === row.previousSecretHash && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt.getTime() > now));
    const allowed = (c: Candidate) =>
      row !== null && row.status === "ENABLED" && ownerIsMember && (row.expiresAt === null || row.expiresAt.getTime() > now) && liveHash(hashOf(c.secret));
    const probes = new Map<Candidate, Map<Instance, Probe>>(
      await Promise.all(
        candidates.map(async (c) => [c, new Map(await Promise.all(instances.map(async (on) => [on, await probe(on, c.secret)] as const)))] as const),
      ),
    );
    for (const [c, results] of probes) {
      for (const [on, p] of results) {
        const expected = allowed(c);
        if (expected && !p.works) violations.push(`[2] ${c.label} (${last4(c.secret)}) should work but ${on.name} answered ${p.status} ${p.code}`);
        if (!expected && p.works) violations.push(`[2] ${c.label} (${last4(c.secret)}) should be refused but works on ${on.name}`);
        if (!expected && !p.works && !p.refused) violations.push(`[2] ${c.label} answered ${p.status} ${p.code} on ${on.name}, neither working nor 401/403`);
      }
    }
    const which = (hash: string | null) => {
      if (hash === null) return "none";
      const found = candidates.find((c) => hashOf(c.secret) === hash);
      return found ? `${found.label} ${last4(found.secret)}` : "an unacknowledged secret";
    };

    // 3. Rotations lose nothing: the current secret is an acknowledged one; the previous one is the
    //    secret it replaced when it had a grace period; an acknowledged grace-0 rotation ends the rest.
    if (row) {
      const current = candidates.find((c) => hashOf(c.secret) === row.secretHash);
      if (rotations.length === 0 && current?.label !== "S0") violations.push(`[3] no rotation acknowledged, yet the current secret is ${which(row.secretHash)}`);
      if (rotations.length > 0) {
        if (!current || current.grace === undefined) {
          violations.push(`[3] ${rotations.length} rotation(s) acknowledged, yet the current secret is ${which(row.secretHash)}`);
        } else {
          const previous = row.previousSecretHash !== null && liveHash(row.previousSecretHash) ? row.previousSecretHash : null;
          const others = candidates.filter((c) => c !== current && c.grace !== undefined).map((c) => hashOf(c.secret));
          if (current.grace > 0) {
            const expected = rotations.length === 1 ? [hashOf(t.original)] : others;
            if (previous === null || !expected.includes(previous)) {
              const lost = rotations.length === 2 ? candidates.find((c) => c !== current && c.grace !== undefined) : undefined;
              violations.push(
                `[3] current secret ${current.label} had a ${current.grace} s grace, so the previous secret should be ${rotations.length === 1 ? "S0" : (lost?.label ?? "another acknowledged rotation's")}, but it is ${which(previous)}${lost ? `: ${lost.label} was acknowledged and works nowhere` : ""}`,
              );
            }
          } else if (previous !== null) {
            violations.push(`[3] current secret ${current.label} had no grace, yet ${which(previous)} is still valid as the previous secret`);
          }
        }
        if (rotations.length >= 2 || current?.grace === 0) {
          for (const [on, p] of probes.get(candidates[0]!)!) if (p.works) violations.push(`[3] S0 still works on ${on.name}`);
        }
      }
    }

    // 4. The audit trail tells the same story: one chain of real status changes, never out of REVOKED.
    const steps: Step[] = [];
    for (const e of events.filter((e) => e.action in STATUS_EVENTS)) {
      const metadata = (e.metadata ?? {}) as { from?: ApiKeyStatus; to?: ApiKeyStatus };
      const { from, to } = metadata;
      steps.push({ from: STATUSES.includes(from!) ? from : undefined, to: STATUS_EVENTS[e.action]! });
      if (!STATUSES.includes(from!) || !STATUSES.includes(to!)) {
        violations.push(`[4] ${e.action} event has no { from, to } statuses (metadata ${JSON.stringify(metadata)})`);
        continue;
      }
      if (to !== STATUS_EVENTS[e.action]) violations.push(`[4] ${e.action} event says it went to ${to}`);
      if (from === to) violations.push(`[4] ${e.action} event records no change (${from} → ${to})`);
      if (from === "REVOKED") violations.push(`[4] ${e.action} event leaves REVOKED`);
    }
    if (!formsChain(steps, "ENABLED", row?.status ?? null)) {
      violations.push(
        `[4] status events ${steps.map((s) => `${s.from ?? "?"}→${s.to}`).join(", ")} form no chain of real changes from ENABLED to ${row?.status ?? "(deleted)"}`,
      );
    }
    const rotatedEvents = events.filter((e) => e.action === "API_KEY_ROTATED").length;
    if (rotatedEvents !== rotations.length) violations.push(`[4] ${rotatedEvents} API_KEY_ROTATED events for ${rotations.length} acknowledged rotation(s)`);
    const deletedEvents = events.filter((e) => e.action === "API_KEY_DELETED").length;
    if (acked("delete").length > 0 && (deletedEvents !== 1 || row !== null)) {
      violations.push(`[4] delete acknowledged: ${deletedEvents} API_KEY_DELETED event(s), row ${row ? "still there" : "gone"}`);
    }
    if (acked("delete").length === 0 && (deletedEvents !== 0 || row === null)) {
      violations.push(`[4] no delete acknowledged: ${deletedEvents} API_KEY_DELETED event(s), row ${row ? "there" : "gone"}`);
    }

    // 5. Owner changes reach the key.
    if (acked("removeOwner").length > 0) {
      if (membership) violations.push(`[5] removeOwner acknowledged, but M is still a member (${membership.role})`);
      for (const k of ownerKeys) if (k.status !== "REVOKED") violations.push(`[5] removeOwner acknowledged, but M's key ${k.id === t.keyId ? "K" : k.name} is ${k.status}`);
    }
    if (acked("demoteOwner").length > 0) {
      if (membership && membership.role !== "MEMBER") violations.push(`[5] demoteOwner acknowledged, but M is ${membership.role}`);
      const memberScopes = scopesOfRole("MEMBER" satisfies Role);
      for (const [c, results] of probes) {
        for (const [on, p] of results) {
          const beyond = p.scopes.filter((s) => !memberScopes.has(s as never));
          if (p.works && beyond.length > 0) violations.push(`[5] demoted, yet ${c.label} has ${beyond.join(", ")} on ${on.name}`);
        }
      }
    }

    // 6. An acknowledged rename sticks.
    const renames = acked("rename").map((f) => f.outcome.newName!);
    if (renames.length > 0 && row && !renames.includes(row.name)) violations.push(`[6] renamed to ${renames.map((n) => `"${n}"`).join(" / ")}, but K is named "${row.name}"`);

    if (violations.length === 0) return undefined;
    return [
      `${label} (K started ${t.startedDisabled ? "DISABLED" : "ENABLED"}; launched ${plan.map((p) => p.op).join(", ")})`,
      `  acknowledged: ${fired
        .map((f) => `${f.op} on ${f.on.name} ${f.outcome.acknowledged ? "yes" : `no (${f.outcome.code ?? f.outcome.status})`}${f.outcome.secret ? ` ${last4(f.outcome.secret)}` : ""}`)
        .join("; ")}`,
      `  final row: ${
        row
          ? `${row.status}, "${row.name}", current ${which(row.secretHash)}, previous ${which(row.previousSecretHash)}${row.previousSecretExpiresAt ? ` until ${row.previousSecretExpiresAt.toISOString()}` : ""}`
          : "deleted"
      }; M ${membership ? `is ${membership.role}` : "is no member"}`,
      `  audit: ${auditLine(events)}`,
      ...violations.map((v) => `  ${v}`),
    ].join("\n");
  }

  function fail(failures: string[], rounds: number) {
    expect(failures.length, `${failures.length} of ${rounds} rounds broke an invariant:\n\n${failures.join("\n\n")}\n`).toBe(0);
  }

  /** Prepares every round's organization at once (independent, and the slow part), then runs the rounds one by one. */
  async function rounds(count: number, spec: (r: number) => { label: string; plan: Plan; startDisabled: boolean }): Promise<void> {
    const specs = Array.from({ length: count }, (_, r) => spec(r));
    const targets = await Promise.all(specs.map((s) => prepare(s.startDisabled)));
    const failures: string[] = [];
    for (const [r, s] of specs.entries()) {
      const failure = await round(s.label, s.plan, targets[r]!);
      if (failure) failures.push(failure);
    }
    fail(failures, count);
  }

  it.each(pairs)("%s × %s", (a, b) =>
    rounds(ROUNDS_PER_PAIR, (r) => {
      const plan = [
        { op: a, on: one },
        { op: b, on: two },
      ];
      if (Math.floor(r / 2) % 2 === 1) plan.reverse();
      return { label: `${a} × ${b}, round ${r + 1}`, plan, startDisabled: r % 2 === 1 };
    }),
  60_000);

  it("grace-0 rotation racing a grace-3600 rotation, many rounds, both ways round", () =>
    rounds(GRACE_RACE_ROUNDS, (r) => {
      const [zeroOn, graceOn] = r % 2 === 0 ? [one, two] : [two, one];
      const plan: Plan = [
        { op: "rotate0", on: zeroOn },
        { op: "rotate3600", on: graceOn },
      ];
      if (Math.floor(r / 2) % 2 === 1) plan.reverse();
      return { label: `rotate0 × rotate3600, round ${r + 1}`, plan, startDisabled: false };
    }),
  120_000);

  it(`${MANY_ROTATIONS} rotations at once, over both instances, lose no acknowledged secret`, () =>
    rounds(MANY_ROTATION_ROUNDS, (r) => ({
      label: `${MANY_ROTATIONS} rotations, round ${r + 1}`,
      plan: Array.from({ length: MANY_ROTATIONS }, (_, i) => ({
        op: Math.floor(i / 2) % 2 === 0 ? "rotate0" : "rotate3600",
        on: i % 2 === 0 ? one : two,
      })),
      startDisabled: false,
    })),
  120_000);

  describe("removing a member while they use their own keys", () => {
    interface Write {
      label: string;
      on: Instance;
      run(): Promise<{ outcome: Outcome; secret?: string }>;
    }
    interface RemovalRound {
      org: SeededOrganization;
      member: Awaited<ReturnType<typeof addMember>>;
      /** M's keys before the race, all cached on both instances when it starts. */
      keys: Array<{ label: string; secret: string }>;
      /** M's own writes, fired with their removal. */
      writes: Write[];
    }

    /**
     * Admin A removes M on one instance while M writes with their own key on both. Afterwards every
     * personal key of M is REVOKED, and once M is invited again none of their old keys (those created
     * during the race included) authenticates on either instance.
     */
    async function removalRace(role: Role, setup: (org: SeededOrganization, member: RemovalRound["member"]) => Promise<Pick<RemovalRound, "keys" | "writes">>) {
      const prepared = await Promise.all(
        Array.from({ length: REMOVAL_ROUNDS }, async (): Promise<RemovalRound> => {
          const org = await seedOrganization("Removal");
          const member = await addMember(org.adminKey, role);
          return { org, member, ...(await setup(org, member)) };
        }),
      );
      const failures: string[] = [];
      for (const [r, { org, member, keys, writes }] of prepared.entries()) {
        await settled(instances);
        await Promise.all(keys.flatMap((k) => instances.map((on) => probe(on, k.secret))));
        const removeOn = r % 2 === 0 ? one : two;
        // Half the rounds launch the removal first, half last.
        const removalFirst = r % 4 < 2;
        const startRemoval = () => fire("removeOwner", removeOn, { callerKey: org.adminKey, keyId: "", ownerId: member.userId }, "removal");
        const startWrites = () => Promise.all(writes.map(async (w) => ({ ...w, ...(await w.run()) })));
        const [removed, results] = removalFirst
          ? await Promise.all([startRemoval(), startWrites()])
          : await Promise.all([startWrites(), startRemoval()]).then(([w, removal]) => [removal, w] as const);

        const violations: string[] = [];
        if (!removed.acknowledged) violations.push(`[R] removeMember on ${removeOn.name} refused (${removed.status} ${removed.code})`);
        for (const w of results) if (unexpected(w.outcome)) violations.push(`[0] ${w.label} on ${w.on.name} failed unexpectedly (${w.outcome.status} ${w.outcome.code})`);
        const oldKeys = [...keys, ...results.flatMap((w) => (w.secret ? [{ label: `key from ${w.label} on ${w.on.name}`, secret: w.secret }] : []))];

        await settled(instances);
        const owned = await prisma().apiKey.findMany({ where: { organizationId: org.organization.id, ownerId: member.userId, kind: "PERSONAL" } });
        const membership = await prisma().membership.findUnique({ where: { organizationId_userId: { organizationId: org.organization.id, userId: member.userId } } });
        if (removed.acknowledged && membership) violations.push(`[R] M is still a member (${membership.role})`);
        for (const k of owned) {
          const label = oldKeys.find((o) => parseKey(o.secret)!.id === k.id)?.label ?? `unacknowledged key "${k.name}"`;
          if (k.status !== "REVOKED") violations.push(`[R] ${label} is ${k.status} after M's removal`);
        }
        const again = await addMember(org.adminKey, "MEMBER", member.email);
        if (again.userId !== member.userId) throw new Error("re-invited M is another user");
        await settled(instances);
        const probed = await Promise.all(oldKeys.flatMap((old) => instances.map(async (on) => ({ old, on, p: await probe(on, old.secret) }))));
        for (const { old, on, p } of probed) {
          if (p.works) violations.push(`[R] ${old.label} (${last4(old.secret)}) works on ${on.name} after M was invited again`);
          else if (!p.refused) violations.push(`[R] ${old.label} answered ${p.status} ${p.code} on ${on.name}`);
        }

        if (violations.length > 0) {
          failures.push(
            [
              `${role} M, round ${r + 1} (removal on ${removeOn.name}, launched ${removalFirst ? "first" : "last"})`,
              `  M's writes acknowledged: ${results.map((w) => `${w.label} on ${w.on.name} ${w.outcome.acknowledged ? "yes" : `no (${w.outcome.code})`}`).join("; ")}`,
              `  M's keys after the removal: ${owned.map((k) => `"${k.name}" ${k.status}`).join("; ")}`,
              ...violations.map((v) => `  ${v}`),
            ].join("\n"),
          );
        }
      }
      fail(failures, REMOVAL_ROUNDS);
    }

    it.each(["MEMBER", "ADMIN"] as const)("a %s creating keys while being removed keeps none of them", (role) =>
      removalRace(role, async (_org, member) => ({
        keys: [{ label: "M's first key", secret: member.key }],
        writes: Array.from({ length: CREATIONS_DURING_REMOVAL }, (_, i): Write => {
          const on = instances[i % 2]!;
          return {
            label: `createApiKey #${i + 1}`,
            on,
            async run() {
              const { outcome, payload } = await mutate(on, "createApiKey", "apiKey { id } secret", { name: `during removal ${i + 1}` }, member.key);
              return { outcome, secret: outcome.acknowledged ? (payload.secret as string) : undefined };
            },
          };
        }),
      })),
    120_000);

    it.each(["MEMBER", "ADMIN"] as const)("a %s enabling their own disabled key while being removed leaves it revoked", (role) =>
      removalRace(role, async (_org, member) => {
        const k2 = await createKey(member.key, { name: "K2" });
        const aim: Aim = { callerKey: member.key, keyId: k2.id, ownerId: member.userId };
        const disabled = await fire("disable", one, aim, "setup");
        if (!disabled.acknowledged) throw new Error(`setup: M could not disable K2 (${disabled.code})`);
        return {
          keys: [
            { label: "M's first key", secret: member.key },
            { label: "K2", secret: k2.secret },
          ],
          writes: instances.map((on): Write => ({ label: "enableApiKey K2", on, run: async () => ({ outcome: await fire("enable", on, aim, "race") }) })),
        };
      }),
    120_000);
  });
});
