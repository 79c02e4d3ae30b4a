import { test } from "node:test";
import assert from "node:assert/strict";
import { ownersOf, parseCodeowners } from "../../src/core/codeowners.ts";

// The example file of GitHub's "About code owners" page, in substance.
const GITHUB_EXAMPLE = `
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
/apps/ @octocat
/apps/github @doctocat
`;

const owners = (path: string) => ownersOf(parseCodeowners(GITHUB_EXAMPLE), path);

test("the last matching rule wins", () => {
  assert.deepEqual(owners("src/index.js"), ["js-owner"]);
  assert.deepEqual(owners("README.md"), ["global-owner1", "global-owner2"]);
  assert.deepEqual(owners("apps/github/main.js"), ["doctocat"]);
});

test("a pattern without a slash matches at any depth", () => {
  assert.deepEqual(owners("deep/nested/notes.txt"), ["octo-org/octocats"]);
  assert.deepEqual(owners("x/y/server.go"), ["docs@example.com"]);
});

test("a trailing slash matches a directory's contents at any depth", () => {
  assert.deepEqual(owners("lib/apps/x.md"), ["octocat"]);
});

test("a leading slash anchors at the root", () => {
  assert.deepEqual(owners("build/logs/out.md"), ["octocat"], "**/logs comes later and wins");
  assert.deepEqual(ownersOf(parseCodeowners("/build/logs/ @doctocat"), "build/logs/out.md"), ["doctocat"]);
  assert.deepEqual(ownersOf(parseCodeowners("/build/logs/ @doctocat"), "x/build/logs/out.md"), []);
});

test("dir/* owns the directory's files but not nested ones", () => {
  const file = parseCodeowners("docs/* @docs");
  assert.deepEqual(ownersOf(file, "docs/getting-started.md"), ["docs"]);
  assert.deepEqual(ownersOf(file, "docs/build-app/troubleshooting.md"), []);
});

test("**/name matches a directory of that name anywhere, and a name owns what is below it", () => {
  const file = parseCodeowners("**/logs @a\nsrc/auth @b");
  assert.deepEqual(ownersOf(file, "logs/x"), ["a"]);
  assert.deepEqual(ownersOf(file, "a/b/logs/c/d"), ["a"]);
  assert.deepEqual(ownersOf(file, "src/auth/token.ts"), ["b"]);
  assert.deepEqual(ownersOf(file, "src/authz.ts"), []);
});

test("a rule without owners leaves its paths unowned", () => {
  const file = parseCodeowners("* @all\n/vendor/");
  assert.deepEqual(ownersOf(file, "vendor/lib.js"), []);
  assert.deepEqual(ownersOf(file, "src/lib.js"), ["all"]);
});

test("unsupported syntax and bad owners skip the line and say why", () => {
  const file = parseCodeowners("* @all\n!*.md @x\n*.[ch] @c\n*.rs not-an-owner\n\\#weird @y\n*.py @py");
  assert.deepEqual(
    file.errors.map((e) => e.line),
    [2, 3, 4],
  );
  assert.match(file.errors[2]?.message ?? "", /not-an-owner/);
  assert.deepEqual(ownersOf(file, "a.md"), ["all"]);
  assert.deepEqual(ownersOf(file, "a.c"), ["all"]);
  assert.deepEqual(ownersOf(file, "a.py"), ["py"]);
  assert.equal(file.rules.length, 2, "the \\# line is a comment");
});

test("escaped spaces belong to the pattern and ? matches one character", () => {
  const file = parseCodeowners("my\\ docs/ @d\nv?.txt @v");
  assert.deepEqual(ownersOf(file, "my docs/a.md"), ["d"]);
  assert.deepEqual(ownersOf(file, "v1.txt"), ["v"]);
  assert.deepEqual(ownersOf(file, "v10.txt"), []);
});

test("regular expression characters in a pattern are literal", () => {
  const file = parseCodeowners("a+b(c).js @x");
  assert.deepEqual(ownersOf(file, "a+b(c).js"), ["x"]);
  assert.deepEqual(ownersOf(file, "aab(c)xjs"), []);
});
