/** The id of a call's approval request: derived from the call, so the request and its answer agree without storing it. */
export function newApprovalId(toolCallId: string): string {
  return `approval-${toolCallId}`.slice(0, 128);
}
