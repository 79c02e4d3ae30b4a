// The ledger's contract: every backend runs the same tests and must pass all of them.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { LedgerSchemaError } from "../../src/ledger/index.ts";
import type { ClaimRequest, Ledger, NewEvent } from "../../src/ledger/index.ts";
import { manualClock, postgresBackend, sqliteBackend } from "./backends.ts";
import type { Backend, Fresh } from "./backends.ts";

const repo = "octo/widgets";
const key = (issueNumber: number, r = repo) => ({ repo: r, issueNumber });
const claim = (issueNumber: number, attempt = 1, maxAgents = 10, r = repo): ClaimRequest => ({
  ...key(issueNumber, r),
  attempt,
  agent: `agent-${issueNumber % 3}`,
  model: "claude-sonnet-4-5",
  mode: attempt === 1 ? "fresh" : "rework",
  maxAgents,
});

/** A small deterministic pseudo-random source (mulberry32) so generated data is reproducible. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function contract(backend: Backend) {
  const withLedger = async (fn: (ledger: Ledger, time: ReturnType<typeof manualClock>) => Promise<void>) => {
    const time = manualClock();
    const ledger = await backend.open(await backend.fresh(), time.clock);
    try {
      await fn(ledger, time);
    } finally {
      await ledger.close();
    }
  };

  // Two ledgers on one database stand for two app replicas. SQLite's single writer means one
  // process, so there both names are the same ledger and the claims race through it.
  const replicas = async (fresh: Fresh) => {
    const a = await backend.open(fresh);
    const b = backend.name === "postgres" ? await backend.open(fresh) : a;
    return { a, b, close: async () => Promise.all([a.close(), b === a ? undefined : b.close()]) };
  };

  describe("tasks", () => {
    test("ensure creates a task once and a second ensure leaves it as it was", () =>
      withLedger(async (ledger, time) => {
        const first = await ledger.tasks.ensure({
          ...key(7),
          state: "queued",
          priority: 2,
          fileScope: ["src/**"],
        });
        assert.equal(first.created, true);
        assert.deepEqual(first.task.fileScope, ["src/**"]);
        assert.equal(first.task.createdAt, time.iso());
        time.advance(1000);
        const second = await ledger.tasks.ensure({ ...key(7), state: "running", priority: 0 });
        assert.equal(second.created, false);
        assert.deepEqual(second.task, first.task);
      }));

    test("update changes only the given fields and stamps updatedAt", () =>
      withLedger(async (ledger, time) => {
        await ledger.tasks.ensure({ ...key(1), state: "queued", tier: "small", labellerId: 2 ** 40 });
        time.advance(60_000);
        const updated = await ledger.tasks.update(key(1), {
          state: "review",
          pullNumber: 12,
          fileScope: ["a.ts"],
        });
        assert.equal(updated?.state, "review");
        assert.equal(updated?.pullNumber, 12);
        assert.equal(updated?.tier, "small");
        assert.equal(updated?.labellerId, 2 ** 40);
        assert.deepEqual(updated?.fileScope, ["a.ts"]);
        assert.equal(updated?.updatedAt, time.iso());
        assert.notEqual(updated?.createdAt, updated?.updatedAt);
        assert.equal(await ledger.tasks.update(key(2), { state: "review" }), undefined);
      }));

    test("listQueued orders by priority, then first queued first, within one repository", () =>
      withLedger(async (ledger) => {
        const random = seeded(42);
        const made: { issueNumber: number; priority: number; queuedAt: string; state: string }[] = [];
        for (let n = 1; n <= 30; n++) {
          const t = {
            issueNumber: n,
            priority: Math.floor(random() * 3),
            queuedAt: new Date(Date.UTC(2026, 2, 1, 0, Math.floor(random() * 50))).toISOString(),
            state: random() < 0.8 ? "queued" : "running",
          };
          made.push(t);
          await ledger.tasks.ensure({ repo, ...t });
        }
        await ledger.tasks.ensure({ ...key(99, "octo/other"), state: "queued", priority: -5 });
        const expected = made
          .filter((t) => t.state === "queued")
          .sort(
            (a, b) =>
              a.priority - b.priority ||
              a.queuedAt.localeCompare(b.queuedAt) ||
              a.issueNumber - b.issueNumber,
          )
          .map((t) => t.issueNumber);
        const listed = (await ledger.tasks.listQueued(repo)).map((t) => t.issueNumber);
        assert.deepEqual(listed, expected);
      }));

    test("a task is found by its pull request, and tasks are listed by state", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(1), state: "review", pullNumber: 40 });
        await ledger.tasks.ensure({ ...key(2), state: "review", pullNumber: 41 });
        await ledger.tasks.ensure({ ...key(3), state: "queued" });
        await ledger.tasks.ensure({ ...key(4, "octo/other"), state: "review", pullNumber: 41 });
        assert.equal((await ledger.tasks.findByPull(repo, 41))?.issueNumber, 2);
        assert.equal(await ledger.tasks.findByPull(repo, 42), undefined);
        assert.deepEqual(
          (await ledger.tasks.listByState(repo, "review")).map((t) => t.issueNumber),
          [1, 2],
        );
      }));

    test("only the first status comment recorded for a task sticks", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(3), state: "queued" });
        const results = await Promise.all([
          ledger.tasks.setStatusComment(key(3), 5_000_000_001),
          ledger.tasks.setStatusComment(key(3), 5_000_000_002),
        ]);
        assert.deepEqual(results.filter(Boolean).length, 1);
        const winner = results[0] ? 5_000_000_001 : 5_000_000_002;
        assert.equal((await ledger.tasks.get(key(3)))?.statusCommentId, winner);
      }));

    test("listQueued takes the waiting states the lifecycle names", () =>
      withLedger(async (ledger, time) => {
        await ledger.tasks.ensure({ ...key(1), state: "queued", queuedAt: time.iso() });
        time.advance(1000);
        await ledger.tasks.ensure({ ...key(2), state: "rework", queuedAt: time.iso() });
        await ledger.tasks.ensure({ ...key(3), state: "running" });
        assert.deepEqual(
          (await ledger.tasks.listQueued(repo)).map((t) => t.issueNumber),
          [1],
        );
        const waiting = await ledger.tasks.listQueued(repo, ["queued", "rework"]);
        assert.deepEqual(
          waiting.map((t) => t.issueNumber),
          [1, 2],
        );
        assert.deepEqual(await ledger.tasks.listQueued(repo, []), []);
      }));

    test("the lifecycle record and title round-trip as given, and list filters by repository and state", () =>
      withLedger(async (ledger) => {
        const lifecycle = { status: "queued", attempt: 0, plan: { mode: "fresh" }, specProblems: [] };
        await ledger.tasks.ensure({ ...key(4), state: "queued", title: "Add a widget", lifecycle });
        await ledger.tasks.ensure({ ...key(5), state: "running" });
        await ledger.tasks.ensure({ ...key(6, "octo/other"), state: "queued" });
        const stored = await ledger.tasks.get(key(4));
        assert.deepEqual(stored?.lifecycle, lifecycle);
        assert.equal(stored?.title, "Add a widget");
        assert.equal((await ledger.tasks.get(key(5)))?.lifecycle, null);
        const next = { ...lifecycle, status: "dispatched", attempt: 1, plan: null };
        const updated = await ledger.tasks.update(key(4), { state: "dispatched", lifecycle: next });
        assert.deepEqual(updated?.lifecycle, next);
        const queued = await ledger.tasks.list({ states: ["queued"] });
        assert.deepEqual(
          queued.map((t) => `${t.repo}#${t.issueNumber}`),
          ["octo/other#6"],
        );
        assert.deepEqual(
          (await ledger.tasks.list({ repo })).map((t) => t.issueNumber),
          [4, 5],
        );
        assert.deepEqual(await ledger.tasks.list({ states: [] }), []);
      }));

    test("a status comment is replaced only while it is still the one recorded", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(10), state: "queued" });
        await ledger.tasks.setStatusComment(key(10), 100);
        assert.equal(await ledger.tasks.replaceStatusComment(key(10), 99, 101), false);
        assert.equal(await ledger.tasks.replaceStatusComment(key(10), 100, 102), true);
        assert.equal(await ledger.tasks.replaceStatusComment(key(10), 100, 103), false);
        assert.equal((await ledger.tasks.get(key(10)))?.statusCommentId, 102);
      }));

    test("bad input is refused with the field named", () =>
      withLedger(async (ledger) => {
        await assert.rejects(
          ledger.tasks.ensure({ repo: "not a repo", issueNumber: 1, state: "queued" }),
          /repo/,
        );
        await assert.rejects(ledger.tasks.ensure({ ...key(0), state: "queued" }), /issueNumber/);
      }));
  });

  describe("attempts", () => {
    test("a claim records the intent once; the same attempt again is a duplicate", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(1), state: "queued" });
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(1)), { claimed: true });
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(1)), {
          claimed: false,
          reason: "duplicate",
        });
        const attempt = await ledger.attempts.get(key(1), 1);
        assert.equal(attempt?.state, "intent");
        const task = await ledger.tasks.get(key(1));
        assert.equal(task?.attempts, 1);
        assert.equal(task?.agent, claim(1).agent);
        assert.deepEqual(
          (await ledger.events.list({ issueNumber: 1 })).map((e) => [e.action, e.agent, e.attempt]),
          [["attempt.intent", claim(1).agent, 1]],
        );
        assert.deepEqual(
          (await ledger.agents.list(repo)).map((a) => a.name),
          [claim(1).agent],
        );
      }));

    test("a claim is refused for an unknown task and for a paused repository", () =>
      withLedger(async (ledger) => {
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(5)), {
          claimed: false,
          reason: "no-task",
        });
        await ledger.tasks.ensure({ ...key(5), state: "queued" });
        await ledger.repositories.setPaused(repo, true);
        assert.equal(await ledger.repositories.isPaused(repo), true);
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(5)), { claimed: false, reason: "paused" });
        await ledger.repositories.setPaused(repo, false);
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(5)), { claimed: true });
      }));

    test("concurrent claims of one attempt dispatch it exactly once", async () => {
      const fresh = await backend.fresh();
      const { a, b, close } = await replicas(fresh);
      try {
        await a.tasks.ensure({ ...key(9), state: "queued" });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).attempts.claimDispatch(claim(9))),
        );
        assert.equal(results.filter((r) => r.claimed).length, 1);
        assert.ok(results.every((r) => r.claimed || r.reason === "duplicate"));
        assert.equal((await a.attempts.list(key(9))).length, 1);
      } finally {
        await close();
      }
    });

    test("concurrent claims never push a repository past maxAgents", async () => {
      const fresh = await backend.fresh();
      const { a, b, close } = await replicas(fresh);
      try {
        const ledger = a;
        for (let n = 1; n <= 10; n++) await ledger.tasks.ensure({ ...key(n), state: "queued" });
        await ledger.tasks.ensure({ ...key(1, "octo/other"), state: "queued" });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? a : b).attempts.claimDispatch({ ...claim(i + 1, 1, 3), agent: `agent-${i + 1}` }),
          ),
        );
        assert.equal(results.filter((r) => r.claimed).length, 3);
        for (const r of results)
          if (!r.claimed) assert.deepEqual(r, { claimed: false, reason: "at-capacity", active: 3 });
        assert.equal(await ledger.attempts.countActive(repo), 3);
        // Another repository has its own cap.
        assert.deepEqual(await ledger.attempts.claimDispatch(claim(1, 1, 3, "octo/other")), {
          claimed: true,
        });
      } finally {
        await close();
      }
    });

    test("concurrent claims never give one agent two active attempts", async () => {
      const fresh = await backend.fresh();
      const { a, b, close } = await replicas(fresh);
      try {
        for (let n = 1; n <= 6; n++) await a.tasks.ensure({ ...key(n), state: "queued" });
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? a : b).attempts.claimDispatch({ ...claim(i + 1), agent: "builder-01" }),
          ),
        );
        assert.equal(results.filter((r) => r.claimed).length, 1);
        for (const r of results)
          if (!r.claimed) assert.deepEqual(r, { claimed: false, reason: "agent-busy" });
        // Once its attempt has ended, the agent can be claimed again.
        const [winner] = (await a.attempts.listActive(repo)).map((x) => x.issueNumber);
        await a.attempts.transition(key(winner ?? 0), 1, "failed", { outcome: "failure" });
        const next = (winner ?? 0) === 1 ? 2 : 1;
        assert.deepEqual(await b.attempts.claimDispatch({ ...claim(next), agent: "builder-01" }), {
          claimed: true,
        });
      } finally {
        await close();
      }
    });

    test("an attempt moves intent → dispatched → running → succeeded and never back", () =>
      withLedger(async (ledger, time) => {
        await ledger.tasks.ensure({ ...key(4), state: "queued" });
        await ledger.attempts.claimDispatch(claim(4));
        time.advance(1000);
        const dispatched = await ledger.attempts.transition(key(4), 1, "dispatched", {
          workflowRunId: 9_876_543_210,
        });
        assert.equal(dispatched?.dispatchedAt, time.iso());
        assert.equal(dispatched?.workflowRunId, 9_876_543_210);
        time.advance(1000);
        const running = await ledger.attempts.transition(key(4), 1, "running", { sessionId: "sess-1" });
        assert.equal(running?.startedAt, time.iso());
        time.advance(1000);
        const done = await ledger.attempts.transition(key(4), 1, "succeeded", { outcome: "pr #12" });
        assert.equal(done?.finishedAt, time.iso());
        assert.equal(done?.outcome, "pr #12");
        assert.equal(await ledger.attempts.transition(key(4), 1, "running"), undefined);
        assert.equal(await ledger.attempts.transition(key(4), 1, "failed"), undefined);
        assert.equal(await ledger.attempts.transition(key(4), 2, "running"), undefined);
        assert.equal((await ledger.attempts.get(key(4), 1))?.state, "succeeded");
        const events = await ledger.events.list({ issueNumber: 4 });
        assert.deepEqual(
          events.map((e) => e.action),
          ["attempt.intent", "attempt.dispatched", "attempt.running", "attempt.succeeded"],
        );
        assert.equal(events[3]?.sessionId, "sess-1");
        assert.equal(events[3]?.target, "run:9876543210");
      }));

    test("recovery lists attempts still at intent or dispatched, and ended ones free capacity", () =>
      withLedger(async (ledger) => {
        for (let n = 1; n <= 4; n++) {
          await ledger.tasks.ensure({ ...key(n), state: "queued" });
          await ledger.attempts.claimDispatch(claim(n));
        }
        await ledger.attempts.transition(key(2), 1, "dispatched");
        await ledger.attempts.transition(key(3), 1, "running");
        await ledger.attempts.transition(key(4), 1, "cancelled");
        const pending = await ledger.attempts.listPending();
        assert.deepEqual(pending.map((a) => [a.issueNumber, a.state]).sort(), [
          [1, "intent"],
          [2, "dispatched"],
        ]);
        assert.equal(await ledger.attempts.countActive(repo), 3);
        assert.deepEqual(
          (await ledger.attempts.listActive(repo)).map((a) => a.issueNumber).sort(),
          [1, 2, 3],
        );
        assert.deepEqual(await ledger.attempts.listActive("octo/other"), []);
      }));

    test("an attempt is found by the workflow run it was dispatched as", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(6), state: "queued" });
        await ledger.attempts.claimDispatch(claim(6));
        await ledger.attempts.transition(key(6), 1, "dispatched", { workflowRunId: 30_433_642_001 });
        const found = await ledger.attempts.findByWorkflowRun(repo, 30_433_642_001);
        assert.deepEqual([found?.issueNumber, found?.number], [6, 1]);
        assert.equal(await ledger.attempts.findByWorkflowRun(repo, 1), undefined);
        assert.equal(await ledger.attempts.findByWorkflowRun("octo/other", 30_433_642_001), undefined);
      }));
  });

  describe("attempts for the app", () => {
    test("one caller takes over a stale intent's recovery; a fresh or confirmed one is left alone", async () => {
      const time = manualClock();
      const fresh = await backend.fresh();
      const a = await backend.open(fresh, time.clock);
      const b = backend.name === "postgres" ? await backend.open(fresh, time.clock) : a;
      const grace = 120_000;
      const cutoff = () => new Date(time.clock().getTime() - grace).toISOString();
      try {
        await a.tasks.ensure({ ...key(5), state: "queued" });
        await a.attempts.claimDispatch(claim(5));
        assert.equal(await a.attempts.claimRecovery(key(5), 1, cutoff()), false, "a fresh intent stays");
        time.advance(10 * 60_000);
        const results = await Promise.all([
          a.attempts.claimRecovery(key(5), 1, cutoff()),
          b.attempts.claimRecovery(key(5), 1, cutoff()),
        ]);
        assert.equal(results.filter(Boolean).length, 1);
        await a.attempts.transition(key(5), 1, "dispatched", { workflowRunId: 42 });
        time.advance(10 * 60_000);
        assert.equal(
          await a.attempts.claimRecovery(key(5), 1, cutoff()),
          false,
          "a dispatched attempt needs none",
        );
      } finally {
        await Promise.all([a.close(), b === a ? undefined : b.close()]);
      }
    });
  });

  describe("events", () => {
    test("a batch larger than one statement is appended whole and listed in order", () =>
      withLedger(async (ledger) => {
        const batch: NewEvent[] = Array.from({ length: 2345 }, (_, i) => ({
          repo,
          issueNumber: (i % 7) + 1,
          agent: `agent-${i % 4}`,
          action: "tool.call",
          target: `file-${i}.ts`,
          detail: { i },
        }));
        assert.equal(await ledger.events.append(batch), batch.length);
        const listed = await ledger.events.list();
        assert.equal(listed.length, batch.length);
        assert.deepEqual(
          listed.map((e) => e.detail["i"]),
          batch.map((e) => e.detail?.["i"]),
        );
        const forAgent = await ledger.events.list({ agent: "agent-2", issueNumber: 3 });
        const expected = batch.filter((e) => e.agent === "agent-2" && e.issueNumber === 3).length;
        assert.equal(forAgent.length, expected);
        const page = await ledger.events.list({ afterId: listed[99]?.id ?? 0, limit: 10 });
        assert.deepEqual(
          page.map((e) => e.id),
          listed.slice(100, 110).map((e) => e.id),
        );
      }));

    test("the latest of some actions is a task's most recent such event", () =>
      withLedger(async (ledger) => {
        const actions = [
          "attempt.running",
          "attempt.heartbeat",
          "tool.call",
          "attempt.heartbeat",
          "tool.call",
        ];
        await ledger.events.append(actions.map((action, i) => ({ ...key(5), action, detail: { i } })));
        await ledger.events.append([{ ...key(6), action: "attempt.heartbeat", detail: { i: 99 } }]);
        const found = await ledger.events.latest(key(5), ["attempt.heartbeat", "attempt.running"]);
        assert.deepEqual([found?.action, found?.detail["i"]], ["attempt.heartbeat", 3]);
        assert.equal(await ledger.events.latest(key(5), ["pr.merged"]), undefined);
        assert.equal(await ledger.events.latest(key(7), ["attempt.heartbeat"]), undefined);
      }));

    test("one bad event in a batch rejects the whole batch", () =>
      withLedger(async (ledger) => {
        const good: NewEvent = { repo, action: "comment.posted" };
        await assert.rejects(ledger.events.append([good, { ...good, action: "" }, good]), /action/);
        assert.equal((await ledger.events.list()).length, 0);
      }));

    test("the database itself refuses to change or delete events", async () => {
      const fresh = await backend.fresh();
      const ledger = await backend.open(fresh);
      try {
        await ledger.events.append([{ repo, action: "label.added", target: "swarm:ready" }]);
        await assert.rejects(fresh.raw("update events set action = 'forged'"), /append-only/);
        await assert.rejects(fresh.raw("delete from events"), /append-only/);
        const [event] = await ledger.events.list();
        assert.equal(event?.action, "label.added");
      } finally {
        await ledger.close();
      }
    });
  });

  describe("usage", () => {
    const report = (reportId: string, costUsd: number, at: string, r = repo) => ({
      reportId,
      ...key(1, r),
      attempt: 1,
      agent: "agent-1",
      model: "claude-sonnet-4-5",
      inputTokens: 1000,
      outputTokens: 200,
      cacheWriteTokens: 50,
      cacheReadTokens: 5000,
      costUsd,
      at,
    });

    test("a usage report recorded twice is counted once", () =>
      withLedger(async (ledger) => {
        assert.equal(await ledger.usage.record(report("r1", 0.25, "2026-03-01T10:00:00.000Z")), true);
        assert.equal(await ledger.usage.record(report("r1", 0.25, "2026-03-01T10:00:00.000Z")), false);
        assert.equal(await ledger.usage.record(report("r2", 0.5, "2026-03-01T11:00:00.000Z")), true);
        const totals = await ledger.usage.totals(key(1), 1);
        assert.deepEqual(totals, {
          inputTokens: 2000,
          outputTokens: 400,
          cacheWriteTokens: 100,
          cacheReadTokens: 10_000,
          costUsd: 0.75,
        });
      }));

    test("daily spend sums one repository's UTC day", () =>
      withLedger(async (ledger) => {
        await ledger.usage.record(report("a", 1.5, "2026-03-01T00:00:00.000Z"));
        await ledger.usage.record(report("b", 2.25, "2026-03-01T23:59:59.999Z"));
        await ledger.usage.record(report("c", 4, "2026-03-02T00:00:00.000Z"));
        await ledger.usage.record(report("d", 8, "2026-02-28T23:59:59.999Z"));
        await ledger.usage.record(report("e", 16, "2026-03-01T12:00:00.000Z", "octo/other"));
        assert.equal(await ledger.usage.dailySpend(repo, new Date("2026-03-01T15:00:00Z")), 3.75);
        assert.equal(await ledger.usage.dailySpend(repo, new Date("2026-03-03T15:00:00Z")), 0);
      }));

    test("negative token counts are refused", () =>
      withLedger(async (ledger) => {
        await assert.rejects(
          ledger.usage.record({ ...report("x", 1, "2026-03-01T00:00:00.000Z"), inputTokens: -1 }),
          /inputTokens/,
        );
      }));
  });

  describe("agents", () => {
    test("the CV matches tasks, outcomes, tokens and events computed from the same history", () =>
      withLedger(async (ledger, time) => {
        const random = seeded(7);
        const outcomes = ["succeeded", "failed", "timed_out", "cancelled", "running"] as const;
        const history: {
          agent: string;
          issue: number;
          attempt: number;
          state: string;
          tokens: number;
          cost: number;
          at: string;
        }[] = [];
        for (let issue = 1; issue <= 12; issue++) {
          await ledger.tasks.ensure({ ...key(issue), state: "queued" });
          const tries = 1 + Math.floor(random() * 3);
          for (let attempt = 1; attempt <= tries; attempt++) {
            const state = outcomes[Math.floor(random() * outcomes.length)] ?? "running";
            // An agent works on one attempt at a time, so one still running has an agent of its own.
            const agent =
              state === "running" ? `agent-${issue}.${attempt}` : `agent-${Math.floor(random() * 3)}`;
            const tokens = Math.floor(random() * 10_000);
            const cost = Math.round(random() * 1000) / 1000;
            time.advance(60_000);
            history.push({ agent, issue, attempt, state, tokens, cost, at: time.iso() });
            const r = await ledger.attempts.claimDispatch({ ...claim(issue, attempt), agent });
            assert.equal(r.claimed, true);
            await ledger.attempts.transition(key(issue), attempt, state as "running");
            await ledger.usage.record({
              reportId: `${issue}-${attempt}`,
              ...key(issue),
              attempt,
              agent,
              model: "m",
              inputTokens: tokens,
              outputTokens: 1,
              cacheWriteTokens: 0,
              cacheReadTokens: 0,
              costUsd: cost,
            });
          }
        }
        const agents = [...new Set(history.map((h) => h.agent))].sort();
        const cv = await ledger.agents.cv({ repo });
        assert.deepEqual(
          cv.map((c) => c.agent),
          agents,
        );
        for (const c of cv) {
          const mine = history.filter((h) => h.agent === c.agent);
          const succeeded = mine.filter((h) => h.state === "succeeded").length;
          const failed = mine.filter((h) => h.state === "failed" || h.state === "timed_out").length;
          assert.equal(c.tasks, new Set(mine.map((h) => h.issue)).size);
          assert.equal(c.attempts, mine.length);
          assert.equal(c.succeeded, succeeded);
          assert.equal(c.failed, failed);
          assert.equal(c.passRate, succeeded + failed === 0 ? null : succeeded / (succeeded + failed));
          assert.equal(
            c.inputTokens,
            mine.reduce((s, h) => s + h.tokens, 0),
          );
          assert.ok(Math.abs(c.costUsd - mine.reduce((s, h) => s + h.cost, 0)) < 1e-9);
          // One intent event per attempt and one per transition it made.
          assert.equal(c.events, mine.length * 2);
          assert.equal(
            c.lastUsedAt,
            mine
              .map((h) => h.at)
              .sort()
              .at(-1),
          );
        }
        assert.deepEqual(await ledger.agents.cv({ repo: "octo/none" }), []);
      }));

    test("an agent's record per area counts its finished attempts in tasks of that area", () =>
      withLedger(async (ledger) => {
        const random = seeded(11);
        const outcomes = ["succeeded", "failed", "timed_out", "cancelled", "running"] as const;
        const areaSets = [["auth"], ["billing"], ["auth", "billing"], ["docs/"], []];
        const history: { agent: string; areas: string[]; state: string; r: string }[] = [];
        for (let issue = 1; issue <= 30; issue++) {
          const r = issue % 7 === 0 ? "octo/other" : repo;
          await ledger.tasks.ensure({ ...key(issue, r), state: "queued" });
          const areas = areaSets[Math.floor(random() * areaSets.length)] ?? [];
          const tries = 1 + Math.floor(random() * 3);
          for (let attempt = 1; attempt <= tries; attempt++) {
            const state = outcomes[Math.floor(random() * outcomes.length)] ?? "running";
            const agent =
              state === "running" ? `agent-${issue}.${attempt}` : `agent-${Math.floor(random() * 3)}`;
            history.push({ agent, areas, state, r });
            const claimed = await ledger.attempts.claimDispatch({
              ...claim(issue, attempt, 100, r),
              agent,
              areas,
            });
            assert.equal(claimed.claimed, true);
            await ledger.attempts.transition(key(issue, r), attempt, state as "running");
          }
        }
        const expected = (wanted: string[]) => {
          const rows = new Map<string, { agent: string; area: string; passed: number; failed: number }>();
          for (const h of history)
            for (const area of h.areas) {
              if (h.r !== repo || !wanted.includes(area)) continue;
              const passed = h.state === "succeeded" ? 1 : 0;
              const failed = h.state === "failed" || h.state === "timed_out" ? 1 : 0;
              if (passed + failed === 0) continue;
              const k = `${h.agent} ${area}`;
              const row = rows.get(k) ?? { agent: h.agent, area, passed: 0, failed: 0 };
              row.passed += passed;
              row.failed += failed;
              rows.set(k, row);
            }
          return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
        };
        assert.deepEqual(await ledger.agents.records(repo, ["auth"]), expected(["auth"]));
        assert.deepEqual(
          await ledger.agents.records(repo, ["auth", "billing", "docs/"]),
          expected(["auth", "billing", "docs/"]),
        );
        assert.ok(expected(["auth"]).length > 0, "the seeded history has records in auth");
        assert.deepEqual(await ledger.agents.records(repo, []), []);
        assert.deepEqual(await ledger.agents.records(repo, ["nowhere"]), []);
      }));

    test("a verdict on an attempt's work counts in its agent's record: rejected once, and a merge wins", () =>
      withLedger(async (ledger) => {
        await ledger.tasks.ensure({ ...key(3), state: "queued" });
        for (const attempt of [1, 2]) {
          await ledger.attempts.claimDispatch(claim(3, attempt));
          await ledger.attempts.transition(key(3), attempt, "succeeded");
        }
        assert.equal(await ledger.attempts.judge(key(3), 1, "rejected", "swarm/gate failed: scope"), true);
        assert.equal(await ledger.attempts.judge(key(3), 1, "rejected", "a redelivery"), false);
        assert.equal(await ledger.attempts.judge(key(3), 2, "merged", "pull request #8 merged"), true);
        const [first, second] = await ledger.attempts.list(key(3));
        assert.deepEqual([first?.verdict, first?.verdictReason], ["rejected", "swarm/gate failed: scope"]);
        assert.equal(second?.verdict, "merged");
        const [cv] = await ledger.agents.cv({ repo });
        assert.deepEqual([cv?.succeeded, cv?.failed, cv?.merged, cv?.passRate], [1, 1, 1, 0.5]);
        // A person merging work the swarm turned back overrides the rejection.
        assert.equal(await ledger.attempts.judge(key(3), 1, "merged", "merged by a person"), true);
        const actions = (await ledger.events.list({ repo, issueNumber: 3 })).map((e) => e.action);
        assert.deepEqual(
          actions.filter((a) => a.startsWith("attempt.merged") || a === "attempt.rejected"),
          ["attempt.rejected", "attempt.merged", "attempt.merged"],
        );
      }));
  });

  describe("merge claims", () => {
    const head = { repo, issueNumber: 4, attempt: 1, headSha: "b".repeat(40) };

    test("concurrent claims of one head let exactly one replica enqueue it; a released claim can be taken again", async () => {
      const fresh = await backend.fresh();
      const { a, b, close } = await replicas(fresh);
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? a : b).merges.claim({ ...head, method: "queue" }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        assert.deepEqual(await a.merges.get(head), { method: "queue", state: "claimed" });
        await b.merges.requested(head);
        assert.deepEqual(await a.merges.get(head), { method: "queue", state: "requested" });
        const other = { ...head, headSha: "c".repeat(40) };
        assert.equal(await a.merges.claim({ ...other, method: "auto-merge" }), true);
        await a.merges.release(other);
        assert.equal(await a.merges.get(other), undefined);
        assert.equal(await b.merges.claim({ ...other, method: "auto-merge" }), true);
      } finally {
        await close();
      }
    });

    test("lists the claims GitHub never confirmed that are older than a time, per repository or all", () =>
      withLedger(async (ledger) => {
        const confirmed = { ...head, headSha: "d".repeat(40) };
        const elsewhere = { ...head, repo: "octo/elsewhere" };
        for (const h of [head, confirmed, elsewhere]) await ledger.merges.claim({ ...h, method: "queue" });
        await ledger.merges.requested(confirmed);
        const later = new Date(Date.now() + 60_000).toISOString();
        assert.deepEqual(await ledger.merges.listUnconfirmed(later, repo), [head]);
        assert.deepEqual(
          (await ledger.merges.listUnconfirmed(later)).map((h) => h.repo).sort(),
          ["octo/elsewhere", repo].sort(),
        );
        assert.deepEqual(await ledger.merges.listUnconfirmed("2000-01-01T00:00:00.000Z"), []);
      }));
  });

  describe("reviews, incidents, deliveries", () => {
    const head = { repo, pullNumber: 12, headSha: "a".repeat(40) };

    test("a gate re-run on the same head replaces its verdict; other heads keep theirs", () =>
      withLedger(async (ledger) => {
        await ledger.reviews.recordGate({
          ...head,
          gate: "scope",
          verdict: "fail",
          findings: [{ file: "x.ts", line: 3 }],
        });
        await ledger.reviews.recordGate({ ...head, gate: "scope", verdict: "pass", findings: [] });
        await ledger.reviews.recordGate({ ...head, gate: "attribution", verdict: "pass", findings: [] });
        await ledger.reviews.recordGate({
          ...head,
          headSha: "b".repeat(40),
          gate: "scope",
          verdict: "fail",
          findings: [],
        });
        const gates = await ledger.reviews.gates(head);
        assert.deepEqual(
          gates.map((g) => [g.gate, g.verdict, g.findings]),
          [
            ["attribution", "pass", []],
            ["scope", "pass", []],
          ],
        );
      }));

    test("reviews and human verdicts are kept in order", () =>
      withLedger(async (ledger) => {
        await ledger.reviews.record({
          ...head,
          kind: "policy",
          reviewer: "swarm-foreman",
          verdict: "sampled",
        });
        await ledger.reviews.record({
          ...head,
          kind: "human",
          reviewer: "octocat",
          verdict: "approve",
          reason: "lgtm",
        });
        const reviews = await ledger.reviews.list(repo, 12);
        assert.deepEqual(
          reviews.map((r) => [r.kind, r.reviewer, r.verdict, r.reason]),
          [
            ["policy", "swarm-foreman", "sampled", null],
            ["human", "octocat", "approve", "lgtm"],
          ],
        );
      }));

    test("incidents open and close once", () =>
      withLedger(async (ledger, time) => {
        const incident = await ledger.incidents.open({
          ...key(3),
          kind: "attempts-exhausted",
          summary: "3 attempts failed",
        });
        await ledger.incidents.open({
          ...key(4, "octo/other"),
          kind: "budget",
          summary: "daily budget spent",
        });
        assert.equal(incident.openedAt, time.iso());
        assert.equal((await ledger.incidents.listOpen(repo)).length, 1);
        assert.equal((await ledger.incidents.listOpen()).length, 2);
        assert.equal(await ledger.incidents.close(incident.id), true);
        assert.equal(await ledger.incidents.close(incident.id), false);
        assert.deepEqual(await ledger.incidents.listOpen(repo), []);
      }));

    test("a redelivered webhook is recognised by its delivery id", () =>
      withLedger(async (ledger) => {
        assert.equal(await ledger.deliveries.record("72d3162e-cc78-11e3-81ab-4c9367dc0958", "issues"), true);
        assert.equal(await ledger.deliveries.record("72d3162e-cc78-11e3-81ab-4c9367dc0958", "issues"), false);
        assert.equal(await ledger.deliveries.record("72d3162e-cc78-11e3-81ab-4c9367dc0959", "issues"), true);
      }));

    test("pruning forgets only deliveries received before the cut-off", () =>
      withLedger(async (ledger, time) => {
        const old = "11111111-cc78-11e3-81ab-4c9367dc0958";
        const recent = "22222222-cc78-11e3-81ab-4c9367dc0958";
        await ledger.deliveries.record(old, "issues");
        time.advance(4 * 86_400_000);
        await ledger.deliveries.record(recent, "issues");
        const cutOff = new Date(time.clock().getTime() - 3 * 86_400_000);
        assert.equal(await ledger.deliveries.pruneBefore(cutOff), 1);
        assert.equal(await ledger.deliveries.record(recent, "issues"), false);
        assert.equal(await ledger.deliveries.record(old, "issues"), true);
      }));
  });

  describe("schema", () => {
    test("reopening keeps the data and the schema version", async () => {
      const fresh = await backend.fresh();
      const first = await backend.open(fresh);
      await first.tasks.ensure({ ...key(1), state: "queued" });
      await first.close();
      const again = await backend.open(fresh);
      try {
        assert.equal(again.schemaVersion, first.schemaVersion);
        assert.equal((await again.tasks.get(key(1)))?.state, "queued");
      } finally {
        await again.close();
      }
    });

    test("an older schema is brought up to date and keeps its data", async () => {
      const fresh = await backend.fresh();
      const first = await backend.open(fresh);
      await first.tasks.ensure({ ...key(1), state: "review", pullNumber: 8 });
      await first.close();
      // Take the database back to version 1 as an older release left it.
      await fresh.raw("drop table merge_claims");
      await fresh.raw("alter table attempts drop column verdict");
      await fresh.raw("alter table attempts drop column verdict_reason");
      await fresh.raw("delete from kysely_migration where name = '0005_outcomes'");
      await fresh.raw("drop index tasks_pull");
      await fresh.raw("drop index attempts_run");
      await fresh.raw("delete from kysely_migration where name = '0002_lookups'");
      await fresh.raw("alter table tasks drop column title");
      await fresh.raw("alter table tasks drop column lifecycle");
      await fresh.raw("delete from kysely_migration where name = '0003_task_lifecycle'");
      await fresh.raw("drop table attempt_areas");
      await fresh.raw("delete from kysely_migration where name = '0004_attempt_areas'");
      const upgraded = await backend.open(fresh);
      try {
        assert.equal(upgraded.schemaVersion, first.schemaVersion);
        const indexes =
          backend.name === "sqlite"
            ? "select name from sqlite_master where type = 'index' and name in ('tasks_pull', 'attempts_run')"
            : "select indexname as name from pg_indexes where schemaname = current_schema() and indexname in ('tasks_pull', 'attempts_run')";
        assert.equal((await fresh.raw(indexes)).length, 2);
        assert.equal((await upgraded.tasks.findByPull(repo, 8))?.issueNumber, 1);
        const lifecycle = { status: "pr-open" };
        assert.deepEqual((await upgraded.tasks.update(key(1), { lifecycle }))?.lifecycle, lifecycle);
        await upgraded.attempts.claimDispatch({ ...claim(1), areas: ["auth"] });
        await upgraded.attempts.transition(key(1), 1, "succeeded");
        assert.deepEqual(await upgraded.agents.records(repo, ["auth"]), [
          { agent: claim(1).agent, area: "auth", passed: 1, failed: 0 },
        ]);
      } finally {
        await upgraded.close();
      }
    });

    test("a schema newer than the code is refused, naming both versions, and left untouched", async () => {
      const fresh = await backend.fresh();
      const ledger = await backend.open(fresh);
      const known = ledger.schemaVersion;
      await ledger.tasks.ensure({ ...key(1), state: "queued" });
      await ledger.close();
      await fresh.raw(
        `insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')`,
      );
      await assert.rejects(backend.open(fresh), (error: unknown) => {
        assert.ok(error instanceof LedgerSchemaError);
        assert.match(error.message, /schema version 9999/);
        assert.match(error.message, new RegExp(`knows up to version ${known}\\b`));
        return true;
      });
      // Nothing was reset: removing the future migration makes the data reachable again.
      await fresh.raw(`delete from kysely_migration where name = '9999_from_the_future'`);
      const reopened = await backend.open(fresh);
      try {
        assert.equal((await reopened.tasks.get(key(1)))?.state, "queued");
      } finally {
        await reopened.close();
      }
    });
  });
}

const sqlite = sqliteBackend();
after(() => sqlite.cleanup());
describe("ledger contract on sqlite", () => contract(sqlite));

const postgres = await postgresBackend();
after(() => postgres.cleanup());
if (postgres.unavailable !== undefined && process.env["CI"] === "true") {
  test("ledger contract on postgres", () =>
    assert.fail(`the PostgreSQL suite cannot run in CI: ${postgres.unavailable}`));
} else {
  // One test at a time: Kysely's migrator reads the catalogue of the whole database, and the
  // fresh ledgers of one run are schemas of one database, so DDL in a neighbour races with it.
  describe("ledger contract on postgres", { skip: postgres.unavailable ?? false }, () => contract(postgres));
}
