import type { Operation } from "./openapi-spec.ts";

/** An operation matched to a request path, with its decoded path parameters. */
export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

// GitHub lets these hold raw slashes (`contents/a/b.md`, `git/refs/heads/feature/x`); Octokit
// sends them as %2F. Both must reach the same operation.
const GREEDY = new Set(["path", "ref", "branch", "basehead"]);

interface Route {
  operation: Operation;
  pattern: RegExp;
  names: string[];
  literals: number;
  greedy: number;
}

/** Routes requests to operations of the description; built once, matched in one pass. */
export class RouteTable {
  readonly #byMethod = new Map<string, Route[]>();

  constructor(operations: Operation[]) {
    for (const operation of operations) {
      const names: string[] = [];
      let literals = 0;
      let greedy = 0;
      const source = operation.template
        .split("/")
        .map((segment) => {
          const param = /^\{([^}]+)\}$/.exec(segment);
          if (!param) {
            literals++;
            return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          }
          const name = param[1] as string;
          names.push(name);
          if (GREEDY.has(name)) {
            greedy++;
            return "(.+)";
          }
          return "([^/]+)";
        })
        .join("/");
      const route = { operation, pattern: new RegExp(`^${source}$`), names, literals, greedy };
      const list = this.#byMethod.get(operation.method) ?? [];
      list.push(route);
      this.#byMethod.set(operation.method, list);
    }
    // A literal segment beats a parameter (`pulls/comments` before `pulls/{pull_number}`), and a
    // parameter bound to one segment beats one that may swallow slashes.
    for (const list of this.#byMethod.values())
      list.sort((a, b) => b.literals - a.literals || a.greedy - b.greedy);
  }

  /** The operation for a method and a raw (still percent-encoded) path, or undefined. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;
    for (const route of this.#byMethod.get(method) ?? []) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      let ok = true;
      route.names.forEach((name, i) => {
        const raw = m[i + 1] as string;
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          ok = false;
        }
      });
      if (ok) return { operation: route.operation, params };
    }
    return undefined;
  }
}
