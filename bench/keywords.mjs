// The tool's own keyword set: the `anchor` of every client and broker signature (the fixed string
// a line must contain before its regex is tried), one per line, for `grep -F -f`.
//
//   node bench/keywords.mjs > keywords.txt
import { pathToFileURL } from 'node:url';

export async function anchors(distDir) {
  const load = async (name) => import(pathToFileURL(`${distDir}/src/formats/signatures/${name}.js`).href);
  const { CLIENT_SIGNATURES } = await load('client');
  const { BROKER_SIGNATURES } = await load('broker');
  const set = new Set();
  for (const s of [...CLIENT_SIGNATURES, ...BROKER_SIGNATURES]) if (typeof s.anchor === 'string' && s.anchor.length > 0) set.add(s.anchor);
  return { anchors: [...set], signatures: CLIENT_SIGNATURES.length + BROKER_SIGNATURES.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = new URL('../dist', import.meta.url).pathname;
  const { anchors: a } = await anchors(dist);
  process.stdout.write(a.join('\n') + '\n');
}
