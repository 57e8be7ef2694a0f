/**
 * Reads the small part of Python that feedparser's `Expect:` lines are written in: literals
 * (strings with their escapes, numbers, tuples, lists, dicts, None/True/False), names, subscripts,
 * attribute access, calls, `+`, comparisons (chained), `not`, `and`, `or`. Enough to take a line
 * apart into the claims it makes; the peer suite evaluates only the claims it can compare.
 */

export type Expr =
  | { kind: "literal"; value: PyValue }
  | { kind: "name"; name: string }
  | { kind: "subscript"; target: Expr; index: Expr }
  | { kind: "attribute"; target: Expr; name: string }
  | { kind: "call"; callee: Expr; args: Expr[] }
  | { kind: "tuple" | "list"; items: Expr[] }
  | { kind: "dict"; entries: [Expr, Expr][] }
  | { kind: "binary"; op: "+" | "-"; left: Expr; right: Expr }
  | { kind: "compare"; operands: Expr[]; ops: string[] }
  | { kind: "not"; operand: Expr }
  | { kind: "bool"; op: "and" | "or"; operands: Expr[] };

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

type Token = { type: "str" | "num" | "name" | "op"; value: string };

const OPERATORS = ["==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "<", ">", "%", "*"];

function decodeEscapes(body: string, raw: boolean): string {
  if (raw) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|.|\n)/g, (_, code: string) => {
    switch (code[0]) {
      case "x":
      case "u":
      case "U":
        return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "0":
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7":
        return String.fromCodePoint(Number.parseInt(code, 8));
      case "\n":
        return "";
      default:
        return code;
    }
  });
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const string = /^([uUbBrR]{0,2})("""|'''|"|')/.exec(rest);
    if (string) {
      const prefix = string[1] ?? "";
      const quote = string[2] ?? "";
      let j = string[0].length;
      let body = "";
      while (j < rest.length && !rest.startsWith(quote, j)) {
        if (rest[j] === "\\") {
          body += rest.slice(j, j + 2);
          j += 2;
        } else {
          body += rest[j];
          j += 1;
        }
      }
      if (j >= rest.length) throw new Error(`unterminated string in ${source}`);
      tokens.push({ type: "str", value: decodeEscapes(body, /r/i.test(prefix)) });
      i += j + quote.length;
      continue;
    }
    const number = /^\d+(?:\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ type: "num", value: number[0] });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(rest);
    if (name) {
      tokens.push({ type: "name", value: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (op === undefined) throw new Error(`unexpected ${JSON.stringify(rest.slice(0, 10))} in ${source}`);
    tokens.push({ type: "op", value: op });
    i += op.length;
  }
  return tokens;
}

class ExpressionParser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    if (this.at < this.tokens.length) throw new Error(`trailing ${this.tokens[this.at]?.value}`);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private take(value?: string): Token {
    const token = this.tokens[this.at];
    if (token === undefined || (value !== undefined && token.value !== value)) {
      throw new Error(`expected ${value ?? "a token"}, found ${token?.value ?? "the end"}`);
    }
    this.at += 1;
    return token;
  }

  private isName(value: string): boolean {
    const token = this.peek();
    return token?.type === "name" && token.value === value;
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token?.type === "op" && token.value === value;
  }

  private or(): Expr {
    const operands = [this.and()];
    while (this.isName("or")) {
      this.take();
      operands.push(this.and());
    }
    return operands.length === 1 ? (operands[0] as Expr) : { kind: "bool", op: "or", operands };
  }

  private and(): Expr {
    const operands = [this.not()];
    while (this.isName("and")) {
      this.take();
      operands.push(this.not());
    }
    return operands.length === 1 ? (operands[0] as Expr) : { kind: "bool", op: "and", operands };
  }

  private not(): Expr {
    if (this.isName("not")) {
      this.take();
      return { kind: "not", operand: this.not() };
    }
    return this.compare();
  }

  private compare(): Expr {
    const operands = [this.sum()];
    const ops: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token?.type === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(token.value)) {
        ops.push(this.take().value);
      } else if (this.isName("in") || this.isName("is")) {
        let op = this.take().value;
        if (op === "is" && this.isName("not")) op += ` ${this.take().value}`;
        ops.push(op);
      } else if (this.isName("not")) {
        this.take();
        this.take("in");
        ops.push("not in");
      } else break;
      operands.push(this.sum());
    }
    return ops.length === 0 ? (operands[0] as Expr) : { kind: "compare", operands, ops };
  }

  private sum(): Expr {
    let left = this.postfix();
    while (this.isOp("+") || this.isOp("-") || this.isOp("%") || this.isOp("*")) {
      const op = this.take().value;
      const right = this.postfix();
      left = { kind: "binary", op: op === "-" ? "-" : "+", left, right };
    }
    return left;
  }

  private postfix(): Expr {
    let expr = this.atom();
    for (;;) {
      if (this.isOp("[")) {
        this.take();
        const index = this.or();
        this.take("]");
        expr = { kind: "subscript", target: expr, index };
      } else if (this.isOp(".")) {
        this.take();
        expr = { kind: "attribute", target: expr, name: this.take().value };
      } else if (this.isOp("(")) {
        this.take();
        const args = this.items(")");
        expr = { kind: "call", callee: expr, args };
      } else return expr;
    }
  }

  private items(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      items.push(this.or());
      if (!this.isOp(close)) this.take(",");
    }
    this.take(close);
    return items;
  }

  private atom(): Expr {
    const token = this.take();
    if (token.type === "str") {
      let value = token.value;
      // Adjacent string literals are one string, as in Python.
      while (this.peek()?.type === "str") value += this.take().value;
      return { kind: "literal", value };
    }
    if (token.type === "num") return { kind: "literal", value: Number(token.value) };
    if (token.type === "name") {
      if (token.value === "None") return { kind: "literal", value: null };
      if (token.value === "True" || token.value === "False") return { kind: "literal", value: token.value === "True" };
      return { kind: "name", name: token.value };
    }
    if (token.value === "-") {
      const operand = this.atom();
      if (operand.kind === "literal" && typeof operand.value === "number") return { kind: "literal", value: -operand.value };
      throw new Error("unary minus on a non-number");
    }
    if (token.value === "(") {
      const items: Expr[] = [];
      let trailingComma = false;
      while (!this.isOp(")")) {
        items.push(this.or());
        trailingComma = false;
        if (!this.isOp(")")) {
          this.take(",");
          trailingComma = true;
        }
      }
      this.take(")");
      return items.length === 1 && !trailingComma ? (items[0] as Expr) : { kind: "tuple", items };
    }
    if (token.value === "[") return { kind: "list", items: this.items("]") };
    if (token.value === "{") {
      const entries: [Expr, Expr][] = [];
      while (!this.isOp("}")) {
        const key = this.or();
        this.take(":");
        entries.push([key, this.or()]);
        if (!this.isOp("}")) this.take(",");
      }
      this.take("}");
      return { kind: "dict", entries };
    }
    throw new Error(`unexpected ${token.value}`);
  }
}

/** Parses one `Expect:` expression; throws with a reason on what it cannot read. */
export function parsePythonExpression(source: string): Expr {
  return new ExpressionParser(tokenize(source)).parse();
}

/** The value of a literal expression (tuples and lists as arrays), or undefined when it is not one. */
export function literalValue(expr: Expr): PyValue | undefined {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "tuple":
    case "list": {
      const values = expr.items.map(literalValue);
      return values.some((value) => value === undefined) ? undefined : (values as PyValue[]);
    }
    case "binary": {
      const left = literalValue(expr.left);
      const right = literalValue(expr.right);
      if (typeof left === "string" && typeof right === "string" && expr.op === "+") return left + right;
      if (typeof left === "number" && typeof right === "number") return expr.op === "+" ? left + right : left - right;
      return undefined;
    }
    default:
      return undefined;
  }
}
