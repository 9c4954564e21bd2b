/** The version of @switchyard/core, checked against plugins' `core` ranges. Kept in sync with package.json by a test. */
export const VERSION = '0.1.0';
