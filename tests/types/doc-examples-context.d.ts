// The names the examples of docs/*.md use without defining them: what an earlier example on the
// same page, or the reader's own code, holds. tests/readme.test.mjs compiles every example with
// this file under tsc --strict; each example also sees every export of the package by its name
// (the page's opening `import`). A name an example uses that is neither here, nor exported, nor
// defined in the example, nor a global of the DOM library fails the test. No `status` here: the DOM
// declares a global `status` (a string), so an example that reads a status defines its own.

/** A dataset id. */
declare const id: string;
/** The `importId` of an import job (`UploadUrl.importId`). */
declare const importId: string;
/** What `createDataset` returned (API.md's `createDataset` example). */
declare const dataset: import('prolific-dataset-status').CreatedDataset;
/** A V3 dataset to create (API.md's `NewDataset` example). */
declare const v3: import('prolific-dataset-status').NewDataset;
/** What `getUploadUrl` returned (API.md's `getUploadUrl` example). */
declare const target: import('prolific-dataset-status').UploadUrl;
/** A file's bytes (API.md's `UploadData` example). */
declare const data: import('prolific-dataset-status').UploadData;
/** An import job (API.md's `waitForImport` example). */
declare const job: import('prolific-dataset-status').ImportJob;
/** What `getDatasetStatuses` resolved with. */
declare const entries: import('prolific-dataset-status').DatasetStatusesEntry[];
/** What `watchDatasets` resolved with. */
declare const watched: import('prolific-dataset-status').WatchEntry[];
/** A file the user picked in a page. */
declare const file: File;
/** `readFile` of `node:fs/promises` (README's upload example imports it). */
declare function readFile(path: string): Promise<Uint8Array>;
