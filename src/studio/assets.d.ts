// Stylesheets imported for their side effect: esbuild bundles them into the one studio CSS file.
declare module "*.css";
