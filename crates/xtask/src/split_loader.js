
// Appended to wasm-bindgen's module by the page build (crates/xtask/src/split.rs): the page's
// WebAssembly comes in two parts (ARCHITECTURE.md, "The page's code comes in two parts"). The
// first part starts the page; the rest is the file named below. The page calls
// `spiegaLoadRest()` once its first figures are drawn, which fetches the rest and attaches it.
// Until then, a call into a function of the rest reaches a placeholder, which loads the rest at
// once (synchronously: the call cannot wait) and then makes the call.
const spiegaRestUrl = new URL(__REST_URL__, import.meta.url);
let spiegaRest = null;
let spiegaRestLoading = null;

// What the page says when the rest cannot be had: the one sentence, with its cause.
function spiegaRestFailed(cause) {
    return new Error(`the rest of the page's code could not be loaded (${cause})`);
}

// Instantiating the rest writes its functions into the first part's table, over the
// placeholders.
function spiegaAttachRest(module) {
    if (spiegaRest === null) {
        spiegaRest = new WebAssembly.Instance(module, { primary: wasm });
    }
}

function spiegaLoadRestNow() {
    if (spiegaRest !== null) return;
    const request = new XMLHttpRequest();
    request.open('GET', spiegaRestUrl, false);
    request.overrideMimeType('text/plain; charset=x-user-defined');
    request.send();
    if (request.status !== 200) {
        throw spiegaRestFailed(`HTTP ${request.status}`);
    }
    const text = request.responseText;
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    spiegaAttachRest(new WebAssembly.Module(bytes));
}

// The first part imports one placeholder per function of the rest it calls, named by the
// function's slot in the table.
function spiegaWithPlaceholders(imports) {
    imports.placeholder = new Proxy({}, {
        get: (_, slot) => (...args) => {
            spiegaLoadRestNow();
            return wasm[__TABLE__].get(Number(slot))(...args);
        },
    });
    return imports;
}

globalThis.spiegaLoadRest = () => {
    if (spiegaRest !== null) return Promise.resolve();
    spiegaRestLoading ??= fetch(spiegaRestUrl)
        .then((response) => {
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            return WebAssembly.compileStreaming(response);
        })
        .then(spiegaAttachRest)
        .catch((e) => {
            spiegaRestLoading = null;
            throw spiegaRestFailed(e?.message ?? e);
        });
    return spiegaRestLoading;
};
