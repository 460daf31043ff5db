// n8n loads the package through the "n8n" field of package.json; this entry point only satisfies "main".
module.exports = {};
