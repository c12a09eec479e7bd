/** A random id of 16 URL-safe characters (96 bits), valid as a threadId or runId. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Buffer.from(bytes).toString('base64url');
}
