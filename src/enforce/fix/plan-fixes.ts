/**
 * Plans `palisade fix`: for each failing finding whose rule carries a fix, rewrites the Terraform
 * block or Kubernetes object it was judged on, file by file, and says which findings it could not
 * fix and why. Nothing is written here; the caller shows the patch or writes the files.
 */

import { cp, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { Resource } from '../../model/resource.js';
import type { Rule } from '../../model/rule.js';
import { compileRules, evaluate, judgedResource } from '../../posture/engine.js';
import { kubernetesReaders } from '../../sources/kubernetes/index.js';
import { CLUSTER_SCOPE } from '../../sources/kubernetes/to-resource.js';
import { readPaths } from '../../sources/read-paths.js';
import { findBlockLocations } from '../../sources/terraform/block-locations.js';
import { applyKubernetesFix, type ObjectRef } from './kubernetes-fix.js';
import { applyTerraformFix } from './terraform-fix.js';
import { unifiedDiff } from './unified-diff.js';

/** One file the fixes change. */
export interface FileFix {
  /** Absolute path. */
  file: string;
  before: string;
  after: string;
  /** The findings fixed in it. */
  fixed: Finding[];
}

/** A failing finding left as it is, and why. */
export interface Unfixed {
  finding: Finding;
  reason: string;
}

/** A fixed file that would no longer read (or would declare a resource twice), and why. */
export interface Refused {
  file: FileFix;
  reason: string;
}

export interface FixPlan {
  files: FileFix[];
  unfixed: Unfixed[];
  /** Files whose fixed text Palisade's own readers no longer read: never written or shown. */
  refused: Refused[];
}

/** The `type.name` of the Terraform resource block whose header is on `line`. */
function blockAt(text: string, line: number): { type: string; name: string } | undefined {
  const block = findBlockLocations(text).find((b) => b.line === line && b.keyword === 'resource');
  if (!block) return undefined;
  const [type, name] = block.address.split('.');
  return { type, name };
}

/**
 * Every `.tf` file of the module holding `file`, with the fixes planned so far in place, so a
 * companion resource added to one file is seen from the others (its name is then taken).
 */
async function moduleText(file: string, planned: Iterable<FileFix>): Promise<string> {
  const dir = dirname(file);
  const fixed = new Map([...planned].map((f) => [f.file, f.after]));
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.tf'));
  const texts = await Promise.all(
    names.map((n) => fixed.get(join(dir, n)) ?? readFile(join(dir, n), 'utf8').catch(() => '')),
  );
  return texts.join('\n');
}

function kubernetesRef(resource: Resource): ObjectRef | undefined {
  const kind = resource.properties.kind;
  const metadata = resource.properties.metadata as { name?: unknown; namespace?: unknown };
  const name = metadata?.name;
  if (typeof kind !== 'string' || typeof name !== 'string') return undefined;
  const written = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  // A manifest that names no namespace leaves it to the id (`default`), as the reader placed it.
  const fromId = resource.id.split('/')[0];
  const namespace = written ?? (fromId === CLUSTER_SCOPE ? undefined : fromId);
  return { kind, name, ...(namespace !== undefined ? { namespace } : {}) };
}

/**
 * Works out the fixes for `findings` (failing, not exempt ones count) with the rules' `fix`
 * sections.
 *
 * ```ts
 * const plan = await planFixes(assessment.findings, rules);
 * for (const f of plan.files) process.stdout.write(unifiedDiff(f.file, f.before, f.after));
 * ```
 */
export async function planFixes(findings: Finding[], rules: Rule[]): Promise<FixPlan> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const files = new Map<string, FileFix>();
  const unfixed: Unfixed[] = [];
  const originals = new Map<string, string>();

  /** Each file's edits by the finding they were made for, to rebuild it from the kept ones. */
  const edits = new Map<FileFix, { finding: Finding; apply: (text: string) => string }[]>();
  const edit = (entry: FileFix, finding: Finding, apply: (text: string) => string) => {
    const before = entry.fixed.length;
    record(entry, apply(entry.after), finding, unfixed);
    if (entry.fixed.length > before)
      edits.set(entry, [...(edits.get(entry) ?? []), { finding, apply }]);
  };

  const fileFix = async (path: string): Promise<FileFix> => {
    const file = resolve(path);
    // One file read under two names (a link beside its target) gets one set of edits.
    const real = await realpath(file).catch(() => file);
    let entry = files.get(real);
    if (!entry) {
      const before = await readFile(file, 'utf8');
      originals.set(file, before);
      entry = { file, before, after: before, fixed: [] };
      files.set(real, entry);
    }
    return entry;
  };

  for (const finding of findings) {
    if (finding.status !== 'fail' || finding.exemption) continue;
    const fix = byId.get(finding.ruleId)?.fix;
    const resource = judgedResource(finding);
    if (!fix) continue;
    if (!resource?.source.file || !resource.source.line) {
      unfixed.push({ finding, reason: 'the finding has no source file and line' });
      continue;
    }
    const kind = resource.source.kind;
    if (kind === 'terraform' && fix.terraform) {
      const entry = await fileFix(resource.source.file);
      const block = blockAt(entry.before, resource.source.line);
      const edits = block && fix.terraform.filter((t) => t.resource_types.includes(block.type));
      if (!block || !edits || edits.length === 0) {
        unfixed.push({ finding, reason: 'no Terraform edit for this block type' });
        continue;
      }
      const module = await moduleText(entry.file, files.values());
      edit(entry, finding, (text) =>
        edits.reduce((t, e) => applyTerraformFix(t, block.type, block.name, e, module), text),
      );
    } else if (kind === 'kubernetes' && fix.kubernetes) {
      const ref = kubernetesRef(resource);
      if (!ref) {
        unfixed.push({ finding, reason: 'the object has no kind or name' });
        continue;
      }
      const entry = await fileFix(resource.source.file);
      const kubernetes = fix.kubernetes;
      edit(entry, finding, (text) => applyKubernetesFix(text, ref, kubernetes));
    } else {
      unfixed.push({ finding, reason: `rule ${finding.ruleId} has no fix for ${kind} sources` });
    }
  }
  let live = [...files.values()].filter((f) => f.after !== f.before);
  const refused: Refused[] = [];
  // Every fixed file is read again with the scan's readers and judged: a file that no longer
  // reads is refused whole; an edit that does not make its rule pass is left out (it may even
  // break the workload: runAsNonRoot beside an explicit runAsUser: 0 stops the container), and
  // the file rebuilt from the edits kept is read and judged again, until nothing changes.
  for (let again = true; again;) {
    const refusing = new Map<FileFix, string>();
    await verifyKubernetes(live, rules, unfixed, refusing);
    await verifyTerraform(live, rules, unfixed, refusing);
    for (const [file, reason] of refusing) refused.push({ file, reason });
    again = refusing.size > 0;
    live = live.filter((f) => !refusing.has(f));
    for (const file of live) {
      const all = edits.get(file) ?? [];
      const kept = all.filter((e) => file.fixed.includes(e.finding));
      if (kept.length === all.length) continue;
      edits.set(file, kept);
      file.after = kept.reduce((text, e) => e.apply(text), file.before);
      again = true;
    }
    live = live.filter((f) => f.fixed.length > 0 && f.after !== f.before);
  }
  return { files: live, unfixed, refused };
}

/**
 * Judges the fixed manifests again and moves findings the edit does not make pass (an explicit
 * `runAsUser: 0`, capabilities added beside the dropped ones) to the unfixed list; `planFixes`
 * then leaves their edits out of the patch.
 */
async function verifyKubernetes(
  files: FileFix[],
  rules: Rule[],
  unfixed: Unfixed[],
  refusing: Map<FileFix, string>,
) {
  const ids = new Set(files.flatMap((f) => f.fixed.map((x) => x.ruleId)));
  const compiled = compileRules(rules.filter((r) => ids.has(r.id)));
  for (const file of files) {
    if (!/\.(ya?ml|json)$/i.test(file.file)) continue;
    let resources: Resource[];
    try {
      const source = { path: file.file, text: file.after };
      const reader = kubernetesReaders.find((r) => r.detect(source));
      if (!reader) throw new Error('no reader takes it for a Kubernetes manifest any more');
      resources = (await reader.read(source)).resources;
      // The reader takes YAML in a `.json` file too; a JSON manifest must stay JSON.
      if (/^\s*[[{]/.test(file.before) && isJson(file.before)) JSON.parse(file.after);
    } catch (error) {
      refusing.set(file, `the fixed text does not read: ${(error as Error).message}`);
      continue;
    }
    const failing = new Set(
      evaluate(compiled, resources)
        .filter((f) => f.status === 'fail')
        .map((f) => `${f.ruleId}|${f.resourceId}`),
    );
    const still = file.fixed.filter((f) => failing.has(`${f.ruleId}|${f.resourceId}`));
    file.fixed = file.fixed.filter((f) => !still.includes(f));
    for (const finding of still) {
      unfixed.push({
        finding,
        reason: 'the edit alone does not make the rule pass; review by hand',
      });
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function record(entry: FileFix, text: string, finding: Finding, unfixed: Unfixed[]): void {
  // A second finding on the same block may already have been fixed by the first one's edit.
  if (text === entry.after && !entry.fixed.some((f) => f.resourceId === finding.resourceId)) {
    unfixed.push({ finding, reason: 'the fix changes nothing in this file' });
    return;
  }
  entry.after = text;
  entry.fixed.push(finding);
}

/** The whole plan as one patch, paths relative to `root` (for `git apply` or `patch -p1`). */
export function renderPatch(plan: FixPlan, root = process.cwd()): string {
  return plan.files
    .map((f) => unifiedDiff(relative(root, f.file).split('\\').join('/'), f.before, f.after))
    .join('');
}

/**
 * Judges each changed Terraform module again, from a scratch copy of its folder with the fixed
 * files in place, and moves findings that still fail to the unfixed list. Known gap: a folder that
 * does not read alone from the copy (it calls `../modules`), or whose resources the scan knew under
 * a `module.` address, is left unverified.
 */
async function verifyTerraform(
  files: FileFix[],
  rules: Rule[],
  unfixed: Unfixed[],
  refusing: Map<FileFix, string>,
) {
  const byDir = new Map<string, FileFix[]>();
  for (const f of files) {
    if (!f.file.endsWith('.tf')) continue;
    const list = byDir.get(dirname(f.file)) ?? [];
    list.push(f);
    byDir.set(dirname(f.file), list);
  }
  const ids = new Set(files.flatMap((f) => f.fixed.map((x) => x.ruleId)));
  const compiled = compileRules(rules.filter((r) => ids.has(r.id)));
  for (const [dir, changed] of byDir) {
    const scratch = await mkdtemp(join(tmpdir(), 'palisade-fix-'));
    try {
      const names = (await readdir(dir)).filter((n) => /\.tf(vars)?$|\.tf\.json$/.test(n));
      // Copies of what links point to, never the links: a fixed text written over a copied link
      // would land in its target, which may lie anywhere.
      for (const name of names)
        await cp(join(dir, name), join(scratch, name), { dereference: true });
      const before = await tfTexts(scratch, names);
      for (const f of changed) {
        const copy = join(scratch, relative(dir, f.file));
        await rm(copy, { force: true });
        await writeFile(copy, f.after, { flag: 'wx' });
      }
      const twice = declaredAgain(before, changed);
      for (const [f, address] of twice) {
        refusing.set(f, `the fix would declare ${address} a second time in its module`);
      }
      const read = await readPaths([scratch]);
      for (const { file, error } of read.files) {
        const f = error && changed.find((c) => basename(c.file) === basename(file));
        if (f) refusing.set(f, `the fixed text does not read: ${error.message}`);
      }
      if (twice.size > 0 || read.files.some((x) => x.error)) continue;
      const failing = new Set(
        evaluate(compiled, read.resources)
          .filter((x) => x.status === 'fail')
          .map((x) => `${x.ruleId}|${judgedResource(x)?.source.address ?? x.resourceId}`),
      );
      for (const f of changed) {
        const still = f.fixed.filter((x) =>
          failing.has(`${x.ruleId}|${judgedResource(x)?.source.address ?? x.resourceId}`),
        );
        f.fixed = f.fixed.filter((x) => !still.includes(x));
        for (const finding of still) {
          unfixed.push({
            finding,
            reason: 'the edit alone does not make the rule pass; review by hand',
          });
        }
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

/** The `.tf` files of a module folder by name. */
async function tfTexts(dir: string, names: string[]): Promise<Map<string, string>> {
  const tf = names.filter((n) => n.endsWith('.tf'));
  return new Map(
    await Promise.all(tf.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)),
  );
}

/**
 * The changed files that declare a block address the module then declares more often than before
 * (Terraform refuses a duplicate resource; the HCL reader does not see across files).
 */
function declaredAgain(before: Map<string, string>, changed: FileFix[]): Map<FileFix, string> {
  const after = new Map(before);
  for (const f of changed) after.set(basename(f.file), f.after);
  const count = (texts: Map<string, string>) => {
    const counts = new Map<string, number>();
    for (const text of texts.values()) {
      for (const b of findBlockLocations(text))
        counts.set(b.address, (counts.get(b.address) ?? 0) + 1);
    }
    return counts;
  };
  const was = count(before);
  const is = count(after);
  const twice = new Map<FileFix, string>();
  for (const f of changed) {
    const address = findBlockLocations(f.after)
      .map((b) => b.address)
      .find((a) => (is.get(a) ?? 0) > 1 && (is.get(a) ?? 0) > (was.get(a) ?? 0));
    if (address) twice.set(f, address);
  }
  return twice;
}
