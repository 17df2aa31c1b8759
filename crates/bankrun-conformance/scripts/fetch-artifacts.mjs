#!/usr/bin/env node
// Fetches the third-party artifacts the conformance tests need, from the npm registry
// through the ordinary `npm pack` client, pinned by version AND sha512 integrity, into a
// cache directory (default: <workspace>/target/conformance-cache). Compiles the Aave
// v3.6 sources once with solc-js (soljson.js, driven directly, no callbacks) and caches
// the standard-JSON output. Idempotent: finished steps leave a marker file.
//
// Usage: node fetch-artifacts.mjs [cache-dir]
// Exit code 0 on success; any failure (network, integrity mismatch, compiler error)
// exits non-zero with a message on stderr.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.resolve(
  process.argv[2] ||
    process.env.BANKRUN_CONFORMANCE_CACHE ||
    path.join(here, "..", "..", "..", "target", "conformance-cache"),
);

// name, version, integrity (sha512 of the tarball, as npm reports it), directory.
const PACKAGES = [
  ["@aave/core-v3", "1.19.3", "sha512-Xr7+VcoU5b4mPwM4IUCnskw3lciwrnL4Xloyad8GOddYeixnri2lZYobNmErm1LwE50vqjI0O+9QGNKY2TDkeQ==", "aave-core-v3"],
  ["@aave-dao/aave-v3-origin", "3.6.0", "sha512-TwK/TpTZGArN0G3AE+0NoafsaXc7BiXdZhYuxcD+8A5OjIGolp0cqu5FZcTDLo/pbavJvMU5v0php/LEJiJ/cQ==", "aave-v3-origin"],
  ["@bgd-labs/solidity-utils", "1.1.2", "sha512-GgKwrjgdfnd9yKiWX1LDWysbVIyw/HTvqewq+4I2FAJXJt7AdUgSOCSi/cJi4dymsQmE1u/zgXHSeFH5fI+XsA==", "solidity-utils"],
  ["@openzeppelin/contracts", "5.1.0", "sha512-p1ULhl7BXzjjbha5aqst+QMLY+4/LCWADXOCsmLHRM77AqiPjnd9vvUN9sosUfhL9JGKpZ0TjEGxgvnizmWGSA==", "oz-contracts"],
  ["@openzeppelin/contracts-upgradeable", "5.1.0", "sha512-AIElwP5Ck+cslNE+Hkemf5SxjJoF4wBvvjxc27Rp+9jaPs/CLIaUBMYe1FNzhdiN0cYuwGRmYaRHmmntuiju4Q==", "oz-contracts-upgradeable"],
  ["solc", "0.8.27", "sha512-BNxMol2tUAbkH7HKlXBcBqrGi2aqgv+uMHz26mJyTtlVgWmBA4ktiw0qVKHfkjf2oaHbwtbtaSeE2dhn/gTAKw==", "solc-0.8.27"],
  ["@aave/protocol-v2", "1.0.1", "sha512-MU3WiigW89DWDpCtvaw4rafih7RbADB45uUM/zqfnOD4g9JNUVfeT6MrjV4/DP/JPA2Iv5ySKSx+a1OfUES0Pg==", "aave-protocol-v2"],
  ["@uniswap/v2-core", "1.0.1", "sha512-MtybtkUPSyysqLY2U210NBDeCHX+ltHt3oADGdjqoThZaFRDKwM6k1Nb3F0A3hk5hwuQvytFWhrWHOEq6nVJ8Q==", "uniswap-v2-core"],
];

function log(msg) {
  process.stderr.write(`[conformance-fetch] ${msg}\n`);
}

function sha512(file) {
  return "sha512-" + createHash("sha512").update(fs.readFileSync(file)).digest("base64");
}

function fetchPackage([name, version, integrity, dir]) {
  const dest = path.join(cache, "pkg", dir);
  const marker = path.join(dest, ".bankrun-ok");
  if (fs.existsSync(marker)) return dest;
  const tgzDir = path.join(cache, "tgz");
  fs.mkdirSync(tgzDir, { recursive: true });
  log(`npm pack ${name}@${version}`);
  const out = execFileSync("npm", ["pack", `${name}@${version}`, "--json", "--pack-destination", tgzDir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const info = JSON.parse(out)[0];
  const tgz = path.join(tgzDir, info.filename);
  const actual = sha512(tgz);
  if (actual !== integrity) {
    throw new Error(`integrity mismatch for ${name}@${version}: expected ${integrity}, got ${actual}`);
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  execFileSync("tar", ["xzf", tgz, "-C", dest, "--strip-components=1"]);
  fs.writeFileSync(marker, `${name}@${version} ${actual}\n`);
  return dest;
}


// ---- Aave v3.6 compile ----------------------------------------------------------

const ENTRY_POINTS = [
  "src/contracts/protocol/configuration/PoolAddressesProvider.sol",
  "src/contracts/protocol/configuration/ACLManager.sol",
  "src/contracts/instances/PoolInstance.sol",
  "src/contracts/instances/PoolConfiguratorInstance.sol",
  "src/contracts/instances/ATokenInstance.sol",
  "src/contracts/instances/VariableDebtTokenInstance.sol",
  "src/contracts/misc/DefaultReserveInterestRateStrategyV2.sol",
  "src/contracts/misc/AaveOracle.sol",
  "src/contracts/mocks/tokens/MintableERC20.sol",
];
// The contracts whose bytecode the tests deploy (source unit : contract name).
const WANTED = new Set([
  "PoolAddressesProvider", "ACLManager", "PoolInstance", "PoolConfiguratorInstance",
  "ATokenInstance", "VariableDebtTokenInstance", "DefaultReserveInterestRateStrategyV2",
  "AaveOracle", "MintableERC20", "SupplyLogic", "BorrowLogic", "LiquidationLogic",
  "PoolLogic", "FlashLoanLogic", "EModeLogic", "ConfiguratorLogic",
]);

function compileV36(dirs) {
  const outDir = path.join(cache, "aave-v3.6-build");
  const outFile = path.join(outDir, "contracts.json");
  if (fs.existsSync(outFile)) return;
  // Remappings of aave-v3-origin v3.6.0 (remappings.txt), onto the npm packages.
  const roots = [
    ["solidity-utils/", path.join(dirs.su, "src") + "/"],
    ["openzeppelin-contracts-upgradeable/contracts/", dirs.ozu + "/"],
    ["openzeppelin-contracts/contracts/", dirs.oz + "/"],
    ["src/", path.join(dirs.origin, "src") + "/"],
  ];
  const toFile = (unit) => {
    for (const [prefix, target] of roots) if (unit.startsWith(prefix)) return target + unit.slice(prefix.length);
    throw new Error(`cannot resolve source unit ${unit}`);
  };
  const sources = {};
  const queue = [...ENTRY_POINTS];
  while (queue.length) {
    const unit = queue.pop();
    if (sources[unit]) continue;
    const content = fs.readFileSync(toFile(unit), "utf8");
    sources[unit] = { content };
    for (const m of content.matchAll(/import\s+(?:[^'"]*?from\s+)?["']([^"']+)["']/g)) {
      let dep = m[1];
      if (dep.startsWith(".")) dep = path.posix.normalize(path.posix.join(path.posix.dirname(unit), dep));
      if (!sources[dep]) queue.push(dep);
    }
  }
  log(`compiling Aave v3.6 (${Object.keys(sources).length} source units) with solc-js 0.8.27 ...`);
  const input = {
    language: "Solidity",
    sources,
    settings: {
      // aave-v3-origin v3.6.0 foundry.toml: 0.8.27, optimizer 200 runs, shanghai, no metadata hash.
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "shanghai",
      metadata: { bytecodeHash: "none" },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences"] } },
    },
  };
  const require = createRequire(import.meta.url);
  const soljson = require(path.join(dirs.solc, "soljson.js"));
  const compile = soljson.cwrap("solidity_compile", "string", ["string", "number", "number"]);
  const t0 = Date.now();
  const output = JSON.parse(compile(JSON.stringify(input), 0, 0));
  log(`compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const result = {};
  for (const [unit, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!WANTED.has(name)) continue;
      result[name] = { sourceName: unit, abi: c.abi, bytecode: c.evm.bytecode.object, linkReferences: c.evm.bytecode.linkReferences };
    }
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(outFile + ".tmp", JSON.stringify(result));
  fs.renameSync(outFile + ".tmp", outFile);
}

try {
  fs.mkdirSync(cache, { recursive: true });
  const dirs = {};
  for (const p of PACKAGES) dirs[p[3]] = fetchPackage(p);
  compileV36({
    origin: dirs["aave-v3-origin"],
    su: dirs["solidity-utils"],
    oz: dirs["oz-contracts"],
    ozu: dirs["oz-contracts-upgradeable"],
    solc: dirs["solc-0.8.27"],
  });
  process.stdout.write(cache + "\n");
} catch (e) {
  log(`FAILED: ${e.message}`);
  process.exit(1);
}
