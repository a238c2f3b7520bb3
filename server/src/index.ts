// @qnn/server: not written yet (see the open issues); the package exists so that the workspace layout is final.
export {};
