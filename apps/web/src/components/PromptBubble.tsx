/** What the user asked, on the right of the conversation. */
export function PromptBubble({ prompt }: { prompt: string }) {
  return (
    <div className="bubble-row">
      <p className="bubble">
        <span className="visually-hidden">You: </span>
        {prompt}
      </p>
    </div>
  );
}
