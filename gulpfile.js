const path = require('path');
const { task, src, dest } = require('gulp');

// tsc emits only JavaScript: n8n loads node and credential icons (and the codex) from dist/, beside the code.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { encoding: false }).pipe(
		dest((file) => path.join('dist', path.relative(file.cwd, file.base))),
	),
);
