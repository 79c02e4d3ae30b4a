import { verify } from "node:crypto";
import { GitHubError } from "./github-error.ts";
import type { Actor } from "./sim-events.ts";
import type { SimWorld } from "./world.ts";

// GitHub's messages, which @octokit/auth-app reads to correct clock skew.
const IAT_MESSAGE =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
const EXP_MESSAGE =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
const EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future.";

/**
 * Who the Authorization header names, checked as GitHub checks it: an app JWT (RS256, signed
 * with the app's key, iat/exp in range, at most 10 minutes long) or a token the world minted.
 * Throws 401 for a missing, malformed, expired or unknown credential.
 */
export function authenticate(world: SimWorld, header: string | undefined): Actor {
  if (!header) throw new GitHubError(401, "Requires authentication");
  const m = /^(bearer|token)\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new GitHubError(401, "Bad credentials");
  const credential = m[2] as string;
  if (credential.split(".").length === 3) return verifyAppJwt(world, credential);
  const token = world.tokens.get(credential);
  if (!token) throw new GitHubError(401, "Bad credentials");
  if (token.expiresAt && token.expiresAt.getTime() <= world.clock.now().getTime()) {
    world.tokens.delete(credential);
    throw new GitHubError(401, "Bad credentials");
  }
  return token.actor;
}

function verifyAppJwt(world: SimWorld, jwt: string): Actor {
  const [headerPart, payloadPart, signaturePart] = jwt.split(".") as [string, string, string];
  let header: { alg?: unknown };
  let payload: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, "base64url").toString()) as typeof header;
    payload = JSON.parse(Buffer.from(payloadPart, "base64url").toString()) as typeof payload;
  } catch {
    throw new GitHubError(401, "A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") throw new GitHubError(401, "A JSON web token could not be decoded");
  // The issuer is the app's id or its client id.
  const app = [...world.apps.values()].find(
    (a) => String(payload.iss) === String(a.id) || payload.iss === a.clientId,
  );
  if (!app) throw new GitHubError(401, "Integration not found");
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  if (!verify("sha256", signed, app.publicKey, Buffer.from(signaturePart, "base64url")))
    throw new GitHubError(401, "A JSON web token could not be decoded");
  const now = Math.floor(world.clock.now().getTime() / 1000);
  if (!Number.isInteger(payload.iat) || (payload.iat as number) > now + 60)
    throw new GitHubError(401, IAT_MESSAGE);
  if (typeof payload.exp !== "number" || payload.exp <= now) throw new GitHubError(401, EXP_MESSAGE);
  if (payload.exp - (payload.iat as number) > 600 || payload.exp > now + 660)
    throw new GitHubError(401, EXP_TOO_FAR);
  return { kind: "app", appId: app.id, login: app.slug };
}
