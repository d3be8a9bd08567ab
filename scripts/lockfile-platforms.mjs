// The npm registry mirror this project builds against serves only the linux-x64/arm64 builds of rollup's native
// binary, so `npm install` writes a lockfile without rollup's other platform packages, and `npm ci` then refuses
// the lockfile as out of sync. This adds the missing optional entries with their os/cpu/libc guards, so `npm ci`
// skips them on every other platform exactly as it would with a complete lockfile. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCKFILE = new URL('../package-lock.json', import.meta.url);
const PLATFORMS = {
  'android-arm-eabi': { os: 'android', cpu: 'arm' },
  'android-arm64': { os: 'android', cpu: 'arm64' },
  'android-x64': { os: 'android', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'freebsd-arm64': { os: 'freebsd', cpu: 'arm64' },
  'freebsd-x64': { os: 'freebsd', cpu: 'x64' },
  'linux-arm-gnueabihf': { os: 'linux', cpu: 'arm', libc: 'glibc' },
  'linux-arm-musleabihf': { os: 'linux', cpu: 'arm', libc: 'musl' },
  'linux-arm64-gnu': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'linux-arm64-musl': { os: 'linux', cpu: 'arm64', libc: 'musl' },
  'linux-loong64-gnu': { os: 'linux', cpu: 'loong64', libc: 'glibc' },
  'linux-loong64-musl': { os: 'linux', cpu: 'loong64', libc: 'musl' },
  'linux-ppc64-gnu': { os: 'linux', cpu: 'ppc64', libc: 'glibc' },
  'linux-ppc64-musl': { os: 'linux', cpu: 'ppc64', libc: 'musl' },
  'linux-riscv64-gnu': { os: 'linux', cpu: 'riscv64', libc: 'glibc' },
  'linux-riscv64-musl': { os: 'linux', cpu: 'riscv64', libc: 'musl' },
  'linux-s390x-gnu': { os: 'linux', cpu: 's390x', libc: 'glibc' },
  'linux-x64-gnu': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl' },
  'openbsd-x64': { os: 'openbsd', cpu: 'x64' },
  'openharmony-arm64': { os: 'openharmony', cpu: 'arm64' },
  'win32-arm64-msvc': { os: 'win32', cpu: 'arm64' },
  'win32-ia32-msvc': { os: 'win32', cpu: 'ia32' },
  'win32-x64-gnu': { os: 'win32', cpu: 'x64' },
  'win32-x64-msvc': { os: 'win32', cpu: 'x64' },
};

const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.endsWith('node_modules/rollup') || !entry.optionalDependencies) continue;
  const prefix = path.slice(0, -'rollup'.length);
  for (const name of Object.keys(entry.optionalDependencies)) {
    const key = `${prefix}${name}`;
    const platform = PLATFORMS[name.replace('@rollup/rollup-', '')];
    if (lock.packages[key] || !platform) continue;
    lock.packages[key] = {
      version: entry.optionalDependencies[name],
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      license: 'MIT',
      optional: true,
      os: [platform.os],
    };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`[lockfile] added ${added} platform entries`);
