/** An arithmetic expression that cannot be worked out, and why. */
export class ArithmeticError extends Error {
  override readonly name = 'ArithmeticError';
}

const MAX_LENGTH = 500;

/**
 * Works out `+ - * / ^`, parentheses, decimals and unary minus by recursive descent (never `eval`). `^` binds
 * tightest and to the right, and a unary minus applies after it, as in maths: `-2^2` is -4.
 */
export function evaluateArithmetic(expression: string): number {
  if (expression.length > MAX_LENGTH) {
    throw new ArithmeticError(`the expression is ${expression.length} characters; at most ${MAX_LENGTH} are allowed`);
  }
  const parser = new Parser(expression);
  const value = parser.expression();
  parser.expectEnd();
  if (!Number.isFinite(value)) throw new ArithmeticError('the result is too large to represent');
  return value;
}

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  expression(): number {
    let value = this.term();
    for (let op = this.peek(); op === '+' || op === '-'; op = this.peek()) {
      this.at += 1;
      const right = this.term();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  expectEnd(): void {
    const rest = this.peek();
    if (rest !== null) throw this.unexpected(rest);
  }

  private term(): number {
    let value = this.unary();
    for (let op = this.peek(); op === '*' || op === '/'; op = this.peek()) {
      this.at += 1;
      const right = this.unary();
      if (op === '/' && right === 0) throw new ArithmeticError('division by zero');
      value = op === '*' ? value * right : value / right;
    }
    return value;
  }

  private unary(): number {
    const op = this.peek();
    if (op === '-' || op === '+') {
      this.at += 1;
      const value = this.unary();
      return op === '-' ? -value : value;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (this.peek() !== '^') return base;
    this.at += 1;
    return base ** this.unary();
  }

  private primary(): number {
    const next = this.peek();
    if (next === '(') {
      this.at += 1;
      const value = this.expression();
      if (this.peek() !== ')') throw new ArithmeticError(`expected ")" at position ${this.at + 1}`);
      this.at += 1;
      return value;
    }
    const match = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(this.text.slice(this.at));
    if (!match) throw next === null ? new ArithmeticError('the expression ends too early') : this.unexpected(next);
    this.at += match[0].length;
    return Number(match[0]);
  }

  /** The next character that is not a space, or null at the end. */
  private peek(): string | null {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] ?? '')) this.at += 1;
    return this.text[this.at] ?? null;
  }

  private unexpected(char: string): ArithmeticError {
    return new ArithmeticError(`unexpected "${char}" at position ${this.at + 1}`);
  }
}
