import { CONTROL } from "./apiKeys.ts";
import { recordAudit } from "./audit.ts";
import type { PlatformStep } from "./change.ts";
import { containsSecret } from "../auth/key.ts";
import { badInput, notFound } from "../errors.ts";
import type { PermissionDefinition, Prisma } from "../generated/prisma/client.ts";

/** A product's permission name: `invoices:read`, `reports.write`. */
export const PERMISSION_NAME = /^[a-z0-9_.:-]{1,64}$/;
export const MAX_KEY_PERMISSIONS = 50;
export const MAX_CATALOG_ENTRIES = 200;
export const MAX_DESCRIPTION = 200;

/** An entry of a catalogue as read: `global` when it comes from the catalogue for every organization. */
export interface CatalogEntry {
  name: string;
  description: string;
  global: boolean;
}

interface NameRules {
  /** @default MAX_KEY_PERMISSIONS */
  max?: number;
  /** A name given twice: dropped (a key's list), or refused (a catalogue, where each entry has its description). @default "drop" */
  duplicates?: "drop" | "refuse";
}

/**
 * Names as a list input gives them: each by the pattern, at most `max`, once each. A refused name
 * is named by its position only: what was sent may be anything, a pasted key included.
 */
export function validPermissionNames(names: readonly string[], field: string, { max = MAX_KEY_PERMISSIONS, duplicates = "drop" }: NameRules = {}): string[] {
  if (names.length > max) throw badInput(`${field} may hold at most ${max} names.`, field);
  const bad = names.findIndex((n) => !PERMISSION_NAME.test(n));
  if (bad >= 0) throw badInput(`${field}[${bad}] must match ${PERMISSION_NAME.source}.`, field);
  const unique = [...new Set(names)];
  if (duplicates === "refuse" && unique.length !== names.length) {
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    throw badInput(`${field} names ${twice} twice.`, field);
  }
  return unique;
}

export interface CatalogInput {
  name: string;
  description: string;
}

function validCatalog(entries: readonly CatalogInput[]): CatalogInput[] {
  if (entries.length > MAX_CATALOG_ENTRIES) throw badInput(`permissions may hold at most ${MAX_CATALOG_ENTRIES} entries.`, "permissions");
  validPermissionNames(
    entries.map((e) => e.name),
    "permissions",
    { max: MAX_CATALOG_ENTRIES, duplicates: "refuse" },
  );
  return entries.map(({ name, description }) => {
    const text = description.trim();
    if (text.length > MAX_DESCRIPTION) throw badInput(`permissions: the description of ${name} must be at most ${MAX_DESCRIPTION} characters.`, "permissions");
    // Descriptions are shown in the console; a control character (a line break) has no place there.
    if (CONTROL.test(text)) throw badInput(`permissions: the description of ${name} must not contain control characters.`, "permissions");
    // Shown to every member in the console, and to every key of the organization.
    if (containsSecret(text)) throw badInput(`permissions: the description of ${name} must not contain an API key or invitation code.`, "permissions");
    return { name, description: text };
  });
}

/**
 * What keys of `organizationId` may carry: the catalogue for every organization with the
 * organization's own, by name; where both define a name, the organization's description wins.
 */
export async function catalogOf(prisma: Prisma.TransactionClient, organizationId: string | null): Promise<CatalogEntry[]> {
  const rows = await prisma.permissionDefinition.findMany({
    where: organizationId === null ? { organizationId: null } : { OR: [{ organizationId: null }, { organizationId }] },
    select: { name: true, description: true, organizationId: true },
  });
  const byName = new Map<string, CatalogEntry>();
  for (const row of rows) {
    const global = row.organizationId === null;
    if (!global || !byName.has(row.name)) byName.set(row.name, { name: row.name, description: row.description, global });
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A new key's permissions: valid names, once each, every one in the organization's catalogue
 * (BAD_USER_INPUT naming `permissions` otherwise). Keys already carrying a name keep it when the
 * name later leaves the catalogue.
 */
export async function grantablePermissions(tx: Prisma.TransactionClient, organizationId: string, requested: readonly string[] | null | undefined): Promise<string[]> {
  if (!requested || requested.length === 0) return [];
  const names = validPermissionNames(requested, "permissions");
  const catalogued = new Set((await catalogOf(tx, organizationId)).map((e) => e.name));
  const unknown = names.filter((n) => !catalogued.has(n));
  if (unknown.length > 0) throw badInput(`permissions: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in the organization's permission catalogue.`, "permissions");
  return names;
}

/**
 * Replaces a catalogue (an organization's, or with `organizationId` null the one for every
 * organization). Serialized per catalogue by an advisory lock; audited in the organization's log,
 * or at platform level for the global one. Keys keep the names they carry; nothing is invalidated,
 * since what a key carries (and verification reports) does not change.
 */
export async function setCatalog(step: PlatformStep, organizationId: string | null, entries: readonly CatalogInput[]): Promise<PermissionDefinition[]> {
  const { tx } = step;
  const catalog = validCatalog(entries);
  if (organizationId !== null && !(await tx.organization.findUnique({ where: { id: organizationId }, select: { id: true } }))) throw notFound("Organization");
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`permission-catalog:${organizationId ?? "*"}`}))`;
  const before = await tx.permissionDefinition.findMany({ where: { organizationId }, select: { name: true } });
  await tx.permissionDefinition.deleteMany({ where: { organizationId } });
  if (catalog.length > 0) await tx.permissionDefinition.createMany({ data: catalog.map((e) => ({ ...e, organizationId })) });
  const names = new Set(catalog.map((e) => e.name));
  const old = new Set(before.map((e) => e.name));
  const metadata = {
    scope: organizationId === null ? "global" : "organization",
    count: catalog.length,
    added: [...names].filter((n) => !old.has(n)),
    removed: [...old].filter((n) => !names.has(n)),
  };
  const entry = { action: "PERMISSION_CATALOG_SET" as const, targetType: "Organization" as const, ...(organizationId ? { targetId: organizationId } : {}), metadata };
  if (organizationId === null) await step.audit(entry);
  else await recordAudit(tx, step.actorIn(organizationId), entry);
  return tx.permissionDefinition.findMany({ where: { organizationId }, orderBy: { name: "asc" } });
}
