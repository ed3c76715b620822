export { startServer, unreachableUrl, sendFile, sendText, type TestServer, type Handler } from './http-server.js';
export { goArchive, gorootVersion, hostGoArch, sha256File, type GoArchive } from './go-archives.js';
export { startGoDevServer, type GoDevServer, type GoDevFaults, type GoDevToolchain } from './go-dev-server.js';
export { startGoProxy, type GoProxyServer, type GoProxyOptions } from './go-proxy.js';
export { fixtureModulesDir, readFixtureModules, moduleFiles, type FixtureModule } from './fixture-modules.js';
export { createFixtureGitRepo, type FixtureGitRepo } from './git-repo.js';
