/** Where one model call of the run begins. */
export function StepDivider({ index }: { index: number }) {
  return (
    <p className="step">
      <span>Step {index}</span>
    </p>
  );
}
