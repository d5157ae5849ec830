// soketi does require('uWebSockets.js'); uws-pack ships the same native binaries as uWebSockets.js v20 but exposes
// them only as an ES module, which Node 20 cannot require. Load the binary for this Node ABI from uws-pack's folder.
const fs = require('fs');
const path = require('path');

const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
for (const dir of module.paths.concat(path.join(__dirname, '..', 'node_modules'))) {
  const candidate = path.join(dir, 'uws-pack', 'dist', 'bin', binary);
  if (fs.existsSync(candidate)) {
    module.exports = require(candidate);
    return;
  }
}
throw new Error(`uws-pack@20.0.8 has no ${binary} (Node ${process.version}): soketi cannot start on this Node`);
