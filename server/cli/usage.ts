/** The command line was wrong: exit code 2 and a one-line explanation. */
export class UsageError extends Error {}
