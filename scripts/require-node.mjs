// npm scripts must run on the project's own Node (the `node` devDependency, first on PATH in npm
// scripts). If `npm install` could not install it, say so instead of failing obscurely later.
// Plain JavaScript: it has to run on whatever Node is there.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `This project runs on Node >= 22 (it installs Node 24 as a dev dependency), but npm scripts are running Node ${process.versions.node}.\n` +
      'Run `npm install` again (its `node` package installs the binary in a preinstall script that must be allowed: see "allowScripts" in package.json).',
  );
  process.exit(1);
}
