/*
 * Sandbox Stripe.js: a stand-in for https://js.stripe.com/endive/stripe.js in sandbox mode (SANDBOX=1) and in
 * browser tests. It defines window.Stripe with exactly what @stripe/react-stripe-js 7 and the gateway's checkout
 * use, renders a plain, accessible card form instead of Stripe's iframe, and talks to the local Stripe emulator
 * (dev/emulators/stripe) with the publishable key, as Stripe.js talks to api.stripe.com. No real card data is
 * ever sent anywhere but that emulator.
 *
 * API base: window.__SANDBOX_STRIPE_API__ (read at each call), else this <script>'s data-api attribute, else
 * "/sandbox/stripe-api" (the app's forwarder to the emulator). Words: this <script>'s data-words (JSON, the page's
 * language's lib/sandbox/card-words.ts) and data-locale (amounts written as the page writes them), else English.
 * Card numbers, dates and codes are typed and shown left to right in every language. Plain ES2020, no build step,
 * no imports.
 */
(function () {
  "use strict";

  if (typeof window === "undefined" || typeof document === "undefined") return;
  if (typeof window.Stripe === "function" && window.Stripe.sandbox === true) return; // loaded twice

  var VERSION = "endive";
  var DEFAULT_API = "/sandbox/stripe-api";
  var script = document.currentScript;
  var scriptApi = script && script.getAttribute ? script.getAttribute("data-api") : null;

  // The words of the page's language (the app puts them on this <script> tag), over English.
  var ENGLISH = {
    card: "Card",
    number: "Card number",
    expiry: "Expiration date",
    expiryPlaceholder: "MM / YY",
    cvc: "Security code",
    cvcPlaceholder: "CVC",
    cvcPlaceholder4: "CVC (4 digits)",
    testCard: "Sandbox test card: {card}, any future date, any CVC",
    threeDsTitle: "3D Secure test authentication",
    threeDsText: "Your bank asks you to confirm this payment of {amount}.",
    threeDsNote: "Sandbox: no bank is contacted. Choose how the authentication ends.",
    complete: "Complete",
    fail: "Fail",
    incomplete_number: "Your card number is incomplete.",
    invalid_number: "Your card number is invalid.",
    incomplete_expiry: "Your card's expiration date is incomplete.",
    invalid_expiry_month: "Your card's expiration date is invalid.",
    invalid_expiry_month_past: "Your card's expiration date is in the past.",
    invalid_expiry_year_past: "Your card's expiration year is in the past.",
    invalid_expiry_year: "Your card's expiration year is invalid.",
    incomplete_cvc: "Your card's security code is incomplete.",
  };
  var WORDS = (function () {
    var words = Object.assign({}, ENGLISH);
    var raw = script && script.getAttribute ? script.getAttribute("data-words") : null;
    if (!raw) return words;
    try {
      var given = JSON.parse(raw);
      Object.keys(ENGLISH).forEach(function (k) {
        if (given && typeof given[k] === "string" && given[k]) words[k] = given[k];
      });
    } catch (err) {
      // unreadable: English
    }
    return words;
  })();
  var LOCALE = (script && script.getAttribute && script.getAttribute("data-locale")) || undefined;

  /** The page's direction (the card form's labels and errors follow it; card data stays left to right). */
  function pageIsRtl() {
    return (document.documentElement.getAttribute("dir") || "").toLowerCase() === "rtl";
  }

  /**
   * Appends `template` to `parent` with its one `{name}` placeholder replaced by `node`: the words around it stay in
   * the page's direction, the node (a card number, an amount) is isolated so it keeps its own.
   */
  function appendFilled(parent, template, name, node) {
    var at = template.indexOf("{" + name + "}");
    if (at < 0) {
      parent.appendChild(document.createTextNode(template));
      return;
    }
    if (at > 0) parent.appendChild(document.createTextNode(template.slice(0, at)));
    parent.appendChild(node);
    var rest = template.slice(at + name.length + 2);
    if (rest) parent.appendChild(document.createTextNode(rest));
  }

  /** Arabic-Indic and Persian digits, as some payers type them, → 0-9. */
  function asciiDigits(text) {
    return String(text).replace(/[\u0660-\u0669\u06f0-\u06f9]/g, function (d) {
      var code = d.charCodeAt(0);
      return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
    });
  }

  function apiBase() {
    var base = window.__SANDBOX_STRIPE_API__ || scriptApi || DEFAULT_API;
    return String(base).replace(/\/+$/, "");
  }

  // ------------------------------------------------------------------------------------------ errors

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = "IntegrationError";
    return error;
  }

  var CONNECTION_ERROR = "An error occurred with our connection to Stripe. Request failed.";
  var AUTH_FAILED =
    "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

  function validationError(code, param) {
    return { type: "validation_error", code: code, message: WORDS[code], param: param };
  }

  // ------------------------------------------------------------------------------------------ cards

  function cardBrand(digits) {
    if (/^4/.test(digits)) return "visa";
    if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(digits)) return "mastercard";
    if (/^3[47]/.test(digits)) return "amex";
    if (/^(6011|65|64[4-9])/.test(digits)) return "discover";
    if (/^3(0[0-5]|[68])/.test(digits)) return "diners";
    if (/^35(2[89]|[3-8])/.test(digits)) return "jcb";
    if (/^62/.test(digits)) return "unionpay";
    return "unknown";
  }

  var BRAND_LABELS = {
    visa: "Visa",
    mastercard: "Mastercard",
    amex: "American Express",
    discover: "Discover",
    diners: "Diners Club",
    jcb: "JCB",
    unionpay: "UnionPay",
  };

  /** Digits a complete number of this brand has, and the most the field takes. */
  function numberLengths(brand) {
    if (brand === "amex") return { complete: 15, max: 15, groups: [4, 6, 5] };
    if (brand === "diners") return { complete: 14, max: 14, groups: [4, 6, 4] };
    if (brand === "unionpay") return { complete: 16, max: 19, groups: [4, 4, 4, 4, 3] };
    return { complete: 16, max: 16, groups: [4, 4, 4, 4] };
  }

  function formatNumber(digits) {
    var groups = numberLengths(cardBrand(digits)).groups;
    var parts = [];
    var at = 0;
    for (var i = 0; i < groups.length && at < digits.length; i++) {
      parts.push(digits.slice(at, at + groups[i]));
      at += groups[i];
    }
    if (at < digits.length) parts.push(digits.slice(at));
    return parts.join(" ");
  }

  function luhnValid(digits) {
    var sum = 0;
    var double = false;
    for (var i = digits.length - 1; i >= 0; i--) {
      var d = digits.charCodeAt(i) - 48;
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
    return digits.length > 0 && sum % 10 === 0;
  }

  /** "1", "12", "12 / 3", "1234", "12/2034", "4" (→ "04") → { month, year } as typed digits. */
  function parseExpiry(raw) {
    var text = String(raw);
    var month;
    var year;
    if (text.indexOf("/") >= 0) {
      var halves = text.split("/");
      month = halves[0].replace(/\D/g, "").slice(0, 2);
      year = halves.slice(1).join("").replace(/\D/g, "");
      if (month.length === 1 && year.length > 0) month = "0" + month;
    } else {
      var digits = text.replace(/\D/g, "");
      if (digits.length === 6 && /^(0[1-9]|1[0-2])20\d\d$/.test(digits)) {
        month = digits.slice(0, 2);
        year = digits.slice(2);
      } else {
        if (/^[2-9]/.test(digits)) digits = "0" + digits; // "4" is April
        month = digits.slice(0, 2);
        year = digits.slice(2);
      }
    }
    if (year.length === 4 && /^20/.test(year)) year = year.slice(2);
    return { month: month, year: year.slice(0, 2) };
  }

  function formatExpiry(exp, deleting) {
    if (exp.year.length > 0) return exp.month + " / " + exp.year;
    if (exp.month.length === 2 && !deleting) return exp.month + " / ";
    return exp.month;
  }

  function validateNumber(digits) {
    if (digits.length === 0) return validationError("incomplete_number", "number");
    if (digits.length < numberLengths(cardBrand(digits)).complete) return validationError("incomplete_number", "number");
    if (!luhnValid(digits)) return validationError("invalid_number", "number");
    return null;
  }

  function validateExpiry(exp, now) {
    if (exp.month.length < 2 || exp.year.length < 2) {
      if (exp.month.length === 2 && (Number(exp.month) < 1 || Number(exp.month) > 12)) {
        return validationError("invalid_expiry_month", "expiry");
      }
      return validationError("incomplete_expiry", "expiry");
    }
    var month = Number(exp.month);
    var year = 2000 + Number(exp.year);
    if (month < 1 || month > 12) return validationError("invalid_expiry_month", "expiry");
    var thisYear = now.getFullYear();
    if (year < thisYear) return validationError("invalid_expiry_year_past", "expiry");
    if (year === thisYear && month < now.getMonth() + 1) return validationError("invalid_expiry_month_past", "expiry");
    if (year > thisYear + 50) return validationError("invalid_expiry_year", "expiry");
    return null;
  }

  function cvcLength(digits) {
    return cardBrand(digits) === "amex" ? 4 : 3;
  }

  function validateCvc(cvc, numberDigits) {
    if (cvc.length < cvcLength(numberDigits)) return validationError("incomplete_cvc", "cvc");
    return null;
  }

  // ------------------------------------------------------------------------------------------ styles

  var STYLE_ID = "sandbox-stripe-style";
  var CSS = [
    ".sbx-pe{--sbx-primary:#0570de;--sbx-bg:#ffffff;--sbx-text:#30313d;--sbx-muted:#6d6e78;--sbx-border:#e6e6e6;--sbx-danger:#df1b41;--sbx-radius:5px;--sbx-font:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;",
    "font-family:var(--sbx-font);color:var(--sbx-text);font-size:0.9375rem;line-height:1.4;display:grid;gap:0.75rem}",
    ".sbx-pe[data-theme=night]{--sbx-primary:#0085ff;--sbx-bg:#30313d;--sbx-text:#e0e0e0;--sbx-muted:#a3a3ad;--sbx-border:#424353;--sbx-danger:#fe87a1}",
    "@media (prefers-color-scheme:dark){.sbx-pe[data-theme=auto]{--sbx-primary:#0085ff;--sbx-bg:#30313d;--sbx-text:#e0e0e0;--sbx-muted:#a3a3ad;--sbx-border:#424353;--sbx-danger:#fe87a1}}",
    ".sbx-tab{display:inline-flex;align-items:center;gap:0.5rem;justify-self:start;padding:0.5rem 0.75rem;border:1px solid var(--sbx-primary);border-radius:var(--sbx-radius);color:var(--sbx-primary);background:var(--sbx-bg);font-weight:600;font-size:0.875rem;box-shadow:0 0 0 1px var(--sbx-primary)}",
    ".sbx-field{display:grid;gap:0.25rem;min-width:0}",
    ".sbx-label{font-size:0.875rem;color:var(--sbx-text)}",
    ".sbx-wrap{position:relative;display:flex;align-items:center}",
    ".sbx-input{width:100%;min-width:0;box-sizing:border-box;padding:0.75rem;font:inherit;font-size:1rem;color:var(--sbx-text);background:var(--sbx-bg);border:1px solid var(--sbx-border);border-radius:var(--sbx-radius);box-shadow:0 1px 1px rgba(0,0,0,.03),0 3px 6px rgba(0,0,0,.02);transition:border-color .15s,box-shadow .15s;font-variant-numeric:tabular-nums}",
    ".sbx-input::placeholder{color:var(--sbx-muted);opacity:1}",
    ".sbx-input:focus{outline:none;border-color:var(--sbx-primary);box-shadow:0 0 0 3px color-mix(in srgb,var(--sbx-primary) 25%,transparent)}",
    ".sbx-input[aria-invalid=true]{border-color:var(--sbx-danger);box-shadow:0 0 0 1px var(--sbx-danger)}",
    ".sbx-input[readonly]{opacity:.7}",
    ".sbx-number{padding-right:5.5rem}",
    ".sbx-brand{position:absolute;right:0.75rem;font-size:0.75rem;font-weight:700;letter-spacing:.02em;color:var(--sbx-muted);pointer-events:none}",
    ".sbx-row{display:grid;grid-template-columns:1fr 1fr;gap:0.75rem}",
    // In a right-to-left page the fields sit where the labels start; what is typed in them still runs left to right.
    ".sbx-rtl .sbx-input{text-align:right}",
    ".sbx-rtl .sbx-number{padding-right:0.75rem;padding-left:5.5rem}",
    ".sbx-rtl .sbx-brand{right:auto;left:0.75rem}",
    ".sbx-ltr{direction:ltr;unicode-bidi:isolate}",
    ".sbx-error{margin:0;min-height:0;color:var(--sbx-danger);font-size:0.8125rem}",
    ".sbx-error:empty{display:none}",
    ".sbx-note{margin:0;color:var(--sbx-muted);font-size:0.8125rem}",
    ".sbx-note code{font-family:inherit;font-weight:600;color:var(--sbx-text)}",
    ".sbx-overlay{position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:1rem;background:rgba(10,15,25,.55);font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}",
    ".sbx-dialog{--sbx-d-bg:#ffffff;--sbx-d-text:#1a1f36;--sbx-d-muted:#5b6275;--sbx-d-border:#dfe3ea;width:100%;max-width:24rem;box-sizing:border-box;padding:1.5rem;border-radius:12px;background:var(--sbx-d-bg);color:var(--sbx-d-text);border:1px solid var(--sbx-d-border);box-shadow:0 20px 50px rgba(0,0,0,.3);line-height:1.45}",
    "@media (prefers-color-scheme:dark){.sbx-dialog{--sbx-d-bg:#1c2431;--sbx-d-text:#e8edf3;--sbx-d-muted:#a4b0c0;--sbx-d-border:#334052}}",
    ".sbx-dialog h2{margin:0 0 .5rem;font-size:1.125rem}",
    ".sbx-dialog p{margin:0 0 .75rem;color:var(--sbx-d-muted);font-size:.9375rem}",
    ".sbx-dialog .sbx-amount{color:var(--sbx-d-text);font-weight:700}",
    ".sbx-actions{display:flex;gap:.75rem;margin-top:1.25rem}",
    ".sbx-btn{flex:1;min-height:2.75rem;padding:.5rem 1rem;font:inherit;font-weight:600;border-radius:8px;cursor:pointer;border:1px solid var(--sbx-d-border);background:transparent;color:var(--sbx-d-text)}",
    ".sbx-btn-primary{background:#635bff;border-color:#635bff;color:#fff}",
    ".sbx-btn:focus-visible{outline:3px solid #8fb7ff;outline-offset:2px}",
    ".sbx-btn:disabled{opacity:.6;cursor:progress}",
    "@media (max-width:360px){.sbx-row{grid-template-columns:1fr}}",
  ].join("\n");

  function injectStyle() {
    if (document.getElementById(STYLE_ID)) return;
    var style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  /** appearance.variables → CSS custom properties on the element's root. */
  function applyAppearance(root, appearance) {
    var a = appearance || {};
    var v = a.variables || {};
    root.setAttribute("data-theme", a.theme === "night" ? "night" : a.theme === "stripe" || a.theme === "flat" ? "stripe" : "auto");
    var map = {
      colorPrimary: "--sbx-primary",
      colorBackground: "--sbx-bg",
      colorText: "--sbx-text",
      colorTextSecondary: "--sbx-muted",
      colorDanger: "--sbx-danger",
      borderRadius: "--sbx-radius",
      fontFamily: "--sbx-font",
    };
    Object.keys(map).forEach(function (name) {
      if (typeof v[name] === "string" && v[name]) root.style.setProperty(map[name], v[name]);
      else root.style.removeProperty(map[name]);
    });
  }

  // ------------------------------------------------------------------------------------------ HTTP

  function encodeForm(pairs) {
    return pairs
      .filter(function (p) {
        return p[1] !== undefined && p[1] !== null;
      })
      .map(function (p) {
        return encodeURIComponent(p[0]) + "=" + encodeURIComponent(String(p[1]));
      })
      .join("&");
  }

  /** → { data } or { error } (a Stripe error object); never throws. */
  async function request(method, path, options) {
    var opts = options || {};
    var url = apiBase() + path + (opts.query ? "?" + opts.query : "");
    var init = { method: method, headers: { accept: "application/json" }, cache: "no-store", credentials: "omit" };
    if (opts.form !== undefined) {
      init.headers["content-type"] = "application/x-www-form-urlencoded";
      init.body = opts.form;
    } else if (opts.json !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    }
    var response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      return { error: { type: "api_connection_error", message: CONNECTION_ERROR } };
    }
    var body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (body && typeof body === "object" && body.error && typeof body.error === "object") {
      var error = Object.assign({}, body.error);
      delete error.request_log_url;
      return { error: error };
    }
    if (!response.ok || !body || typeof body !== "object") {
      return {
        error: {
          type: "api_error",
          message: "Unexpected answer from the sandbox Stripe API (HTTP " + response.status + ").",
        },
      };
    }
    return { data: body };
  }

  function intentIdFrom(clientSecret) {
    var m = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(String(clientSecret || ""));
    return m ? m[1] : null;
  }

  // ------------------------------------------------------------------------------------------ 3-D Secure

  function formatAmount(minor, currency) {
    try {
      var code = String(currency || "").toUpperCase();
      var fmt = new Intl.NumberFormat(LOCALE, { style: "currency", currency: code });
      var exp = fmt.resolvedOptions().maximumFractionDigits;
      return fmt.format(minor / Math.pow(10, exp));
    } catch (err) {
      return String(minor) + " " + String(currency || "").toUpperCase();
    }
  }

  var dialogCount = 0;

  /** Shows the challenge; resolves "complete" or "fail" when the payer chooses. */
  function challenge(paymentIntent) {
    injectStyle();
    return new Promise(function (resolve) {
      var n = ++dialogCount;
      var previous = document.activeElement;
      var overlay = document.createElement("div");
      overlay.className = "sbx-overlay";
      var dialog = document.createElement("div");
      dialog.className = "sbx-dialog";
      dialog.setAttribute("dir", pageIsRtl() ? "rtl" : "ltr");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-labelledby", "sbx-3ds-title-" + n);
      dialog.setAttribute("aria-describedby", "sbx-3ds-text-" + n);
      dialog.setAttribute("data-testid", "sandbox-3ds");

      var title = document.createElement("h2");
      title.id = "sbx-3ds-title-" + n;
      title.textContent = WORDS.threeDsTitle;
      var text = document.createElement("p");
      text.id = "sbx-3ds-text-" + n;
      var amount = document.createElement("bdi");
      amount.className = "sbx-amount";
      amount.textContent = formatAmount(paymentIntent.amount, paymentIntent.currency);
      appendFilled(text, WORDS.threeDsText, "amount", amount);
      var note = document.createElement("p");
      note.textContent = WORDS.threeDsNote;

      var actions = document.createElement("div");
      actions.className = "sbx-actions";
      var complete = document.createElement("button");
      complete.type = "button";
      complete.className = "sbx-btn sbx-btn-primary";
      complete.textContent = WORDS.complete;
      complete.setAttribute("data-testid", "sandbox-3ds-complete");
      var fail = document.createElement("button");
      fail.type = "button";
      fail.className = "sbx-btn";
      fail.textContent = WORDS.fail;
      fail.setAttribute("data-testid", "sandbox-3ds-fail");
      actions.appendChild(complete);
      actions.appendChild(fail);

      dialog.appendChild(title);
      dialog.appendChild(text);
      dialog.appendChild(note);
      dialog.appendChild(actions);
      overlay.appendChild(dialog);
      document.body.appendChild(overlay);

      var done = false;
      function finish(outcome) {
        if (done) return;
        done = true;
        document.removeEventListener("keydown", onKey, true);
        if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
        if (previous && typeof previous.focus === "function" && document.contains(previous)) previous.focus();
        resolve(outcome);
      }
      function onKey(event) {
        if (event.key === "Escape") {
          // Closing the bank's window ends the authentication unsuccessfully, as with a real challenge.
          event.preventDefault();
          event.stopPropagation();
          finish("fail");
        } else if (event.key === "Tab") {
          // Keep focus inside the dialog.
          event.preventDefault();
          (document.activeElement === complete ? fail : complete).focus();
        }
      }
      complete.addEventListener("click", function () {
        finish("complete");
      });
      fail.addEventListener("click", function () {
        finish("fail");
      });
      document.addEventListener("keydown", onKey, true);
      complete.focus();
    });
  }

  // ------------------------------------------------------------------------------------------ the Payment Element

  var elementCount = 0;

  function createPaymentElement(group, options) {
    var n = ++elementCount;
    var listeners = {};
    var state = {
      mounted: false,
      destroyed: false,
      ready: false,
      readOnly: !!(options && options.readOnly),
      number: "",
      expiry: "",
      cvc: "",
      touched: { number: false, expiry: false, cvc: false },
      shown: { number: null, expiry: null, cvc: null },
      hasFocus: false,
    };
    var dom = null;
    var container = null;

    function emit(event, payload) {
      var list = (listeners[event] || []).slice();
      list.forEach(function (entry) {
        if (entry.once) off(event, entry.cb);
        try {
          entry.cb(payload);
        } catch (err) {
          setTimeout(function () {
            throw err;
          });
        }
      });
    }

    function on(event, cb) {
      if (typeof cb !== "function") throw IntegrationError("element.on(): the handler must be a function.");
      (listeners[event] = listeners[event] || []).push({ cb: cb, once: false });
      // "ready" is a state: a handler attached after it happened still hears it (React attaches handlers in
      // an effect that may run after the element became ready).
      if (event === "ready" && state.ready) {
        setTimeout(function () {
          var still = (listeners.ready || []).some(function (e) {
            return e.cb === cb;
          });
          if (still && state.mounted) cb({ elementType: "payment" });
        }, 0);
      }
      return element;
    }

    function off(event, cb) {
      if (!listeners[event]) return element;
      listeners[event] = cb
        ? listeners[event].filter(function (e) {
            return e.cb !== cb;
          })
        : [];
      return element;
    }

    function once(event, cb) {
      (listeners[event] = listeners[event] || []).push({ cb: cb, once: true });
      return element;
    }

    function assertAlive(method) {
      if (state.destroyed) throw IntegrationError("This Element has already been destroyed. Please create a new one.");
      return method;
    }

    function digits() {
      return state.number.replace(/\D/g, "");
    }

    function errors(now) {
      return {
        number: validateNumber(digits()),
        expiry: validateExpiry(parseExpiry(state.expiry), now || new Date()),
        cvc: validateCvc(state.cvc, digits()),
      };
    }

    function isEmpty() {
      return state.number === "" && state.expiry === "" && state.cvc === "";
    }

    function changePayload() {
      var e = errors();
      return {
        elementType: "payment",
        empty: isEmpty(),
        complete: !e.number && !e.expiry && !e.cvc,
        collapsed: false,
        value: { type: "card" },
      };
    }

    /** Shows a field's error when the payer has finished with it (left it, or typed a full but wrong value). */
    function render(field, force) {
      if (!dom) return;
      var e = errors()[field];
      var input = dom[field];
      var show = e && (force || state.touched[field] || definitelyWrong(field, e)) ? e : null;
      state.shown[field] = show;
      input.setAttribute("aria-invalid", show ? "true" : "false");
      dom[field + "Error"].textContent = show ? show.message : "";
    }

    function definitelyWrong(field, e) {
      if (field === "number") return e.code === "invalid_number";
      if (field === "expiry") return e.code !== "incomplete_expiry";
      return false;
    }

    function renderAll(force) {
      render("number", force);
      render("expiry", force);
      render("cvc", force);
    }

    function updateBrand() {
      if (!dom) return;
      var brand = cardBrand(digits());
      dom.brand.textContent = digits().length > 0 && BRAND_LABELS[brand] ? BRAND_LABELS[brand] : "";
      var cvcMax = cvcLength(digits());
      dom.cvc.maxLength = cvcMax;
      dom.cvc.placeholder = cvcMax === 4 ? WORDS.cvcPlaceholder4 : WORDS.cvcPlaceholder;
    }

    // -- input handling

    function onNumberInput(event) {
      var input = event.target;
      var raw = asciiDigits(input.value);
      var caret = typeof input.selectionStart === "number" ? input.selectionStart : raw.length;
      var before = raw.slice(0, caret).replace(/\D/g, "").length;
      var all = raw.replace(/\D/g, "");
      all = all.slice(0, numberLengths(cardBrand(all)).max);
      var formatted = formatNumber(all);
      input.value = formatted;
      state.number = formatted;
      // Put the caret after the same number of digits as before.
      var pos = 0;
      var seen = 0;
      while (pos < formatted.length && seen < before) {
        if (/\d/.test(formatted[pos])) seen++;
        pos++;
      }
      if (document.activeElement === input) input.setSelectionRange(pos, pos);
      updateBrand();
      render("number");
      render("cvc");
      emit("change", changePayload());
    }

    function onNumberKeydown(event) {
      var input = event.target;
      if (event.key === "Backspace" && input.selectionStart === input.selectionEnd && input.selectionStart > 0) {
        if (input.value[input.selectionStart - 1] === " ") {
          input.setSelectionRange(input.selectionStart - 1, input.selectionStart - 1);
        }
      }
    }

    function onExpiryInput(event) {
      var input = event.target;
      var deleting = typeof event.inputType === "string" && event.inputType.indexOf("delete") === 0;
      var formatted = formatExpiry(parseExpiry(asciiDigits(input.value)), deleting);
      input.value = formatted;
      state.expiry = formatted;
      render("expiry");
      emit("change", changePayload());
    }

    function onCvcInput(event) {
      var input = event.target;
      var value = asciiDigits(input.value).replace(/\D/g, "").slice(0, cvcLength(digits()));
      input.value = value;
      state.cvc = value;
      render("cvc");
      emit("change", changePayload());
    }

    function onFocusIn() {
      if (!state.hasFocus) {
        state.hasFocus = true;
        emit("focus", { elementType: "payment" });
      }
    }

    function onFocusOut(event) {
      var field = event.target && event.target.getAttribute ? event.target.getAttribute("data-field") : null;
      if (field && state[field] !== "") {
        state.touched[field] = true;
        render(field);
      }
      var next = event.relatedTarget;
      if (!next || !dom || !dom.root.contains(next)) {
        state.hasFocus = false;
        emit("blur", { elementType: "payment" });
      }
    }

    function onKeyDown(event) {
      if (event.key === "Escape") emit("escape", { elementType: "payment" });
    }

    // -- DOM

    function field(id, labelText, input, errorId) {
      var wrapper = document.createElement("div");
      wrapper.className = "sbx-field";
      var label = document.createElement("label");
      label.className = "sbx-label";
      label.htmlFor = id;
      label.textContent = labelText;
      var error = document.createElement("p");
      error.className = "sbx-error";
      error.id = errorId;
      error.setAttribute("aria-live", "polite");
      input.id = id;
      input.setAttribute("aria-describedby", errorId);
      wrapper.appendChild(label);
      return { wrapper: wrapper, error: error };
    }

    function makeInput(fieldName, testId, attrs) {
      var input = document.createElement("input");
      input.type = "text";
      input.className = "sbx-input";
      input.setAttribute("inputmode", "numeric");
      // Card numbers, dates and codes read left to right in every language (in Arabic, "4000 0000 0000 0002",
      // not "0002 0000 0000 4000").
      input.setAttribute("dir", "ltr");
      input.setAttribute("spellcheck", "false");
      input.setAttribute("data-field", fieldName);
      input.setAttribute("data-testid", testId);
      input.setAttribute("aria-invalid", "false");
      Object.keys(attrs).forEach(function (k) {
        input.setAttribute(k, attrs[k]);
      });
      input.readOnly = state.readOnly;
      return input;
    }

    function build() {
      injectStyle();
      var prefix = "sbx-" + n + "-";
      var root = document.createElement("div");
      root.className = "sbx-pe";
      root.setAttribute("data-testid", "sandbox-payment-element");
      if (pageIsRtl()) root.classList.add("sbx-rtl");
      applyAppearance(root, group.options.appearance);

      var tab = document.createElement("div");
      tab.className = "sbx-tab";
      tab.setAttribute("aria-hidden", "true");
      tab.innerHTML =
        '<svg width="16" height="16" viewBox="0 0 24 24" focusable="false"><path fill="currentColor" d="M3 5h18a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2Zm0 2v2h18V7H3Zm0 5v5h18v-5H3Zm2 2h5v2H5v-2Z"/></svg>';
      tab.appendChild(document.createTextNode(WORDS.card));

      var number = makeInput("number", "sandbox-card-number", {
        autocomplete: "cc-number",
        placeholder: "1234 1234 1234 1234",
        maxlength: "23",
      });
      number.classList.add("sbx-number");
      var numberField = field(prefix + "number", WORDS.number, number, prefix + "number-error");
      var wrap = document.createElement("div");
      wrap.className = "sbx-wrap";
      var brand = document.createElement("span");
      brand.className = "sbx-brand";
      brand.setAttribute("aria-hidden", "true");
      wrap.appendChild(number);
      wrap.appendChild(brand);
      numberField.wrapper.appendChild(wrap);
      numberField.wrapper.appendChild(numberField.error);

      var expiry = makeInput("expiry", "sandbox-card-expiry", {
        autocomplete: "cc-exp",
        placeholder: WORDS.expiryPlaceholder,
        maxlength: "9",
      });
      var expiryField = field(prefix + "expiry", WORDS.expiry, expiry, prefix + "expiry-error");
      expiryField.wrapper.appendChild(expiry);
      expiryField.wrapper.appendChild(expiryField.error);

      var cvc = makeInput("cvc", "sandbox-card-cvc", { autocomplete: "cc-csc", placeholder: WORDS.cvcPlaceholder, maxlength: "3" });
      var cvcField = field(prefix + "cvc", WORDS.cvc, cvc, prefix + "cvc-error");
      cvcField.wrapper.appendChild(cvc);
      cvcField.wrapper.appendChild(cvcField.error);

      var row = document.createElement("div");
      row.className = "sbx-row";
      row.appendChild(expiryField.wrapper);
      row.appendChild(cvcField.wrapper);

      var note = document.createElement("p");
      note.className = "sbx-note";
      note.setAttribute("data-testid", "sandbox-test-card-hint");
      var code = document.createElement("code");
      code.setAttribute("dir", "ltr");
      code.className = "sbx-ltr";
      code.textContent = "4242 4242 4242 4242";
      appendFilled(note, WORDS.testCard, "card", code);

      root.appendChild(tab);
      root.appendChild(numberField.wrapper);
      root.appendChild(row);
      root.appendChild(note);

      number.value = state.number;
      expiry.value = state.expiry;
      cvc.value = state.cvc;

      number.addEventListener("input", onNumberInput);
      number.addEventListener("keydown", onNumberKeydown);
      expiry.addEventListener("input", onExpiryInput);
      cvc.addEventListener("input", onCvcInput);
      root.addEventListener("focusin", onFocusIn);
      root.addEventListener("focusout", onFocusOut);
      root.addEventListener("keydown", onKeyDown);

      return {
        root: root,
        number: number,
        expiry: expiry,
        cvc: cvc,
        brand: brand,
        numberError: numberField.error,
        expiryError: expiryField.error,
        cvcError: cvcField.error,
      };
    }

    var element = {
      __sandbox: true,
      elementType: "payment",
      mount: function (target) {
        assertAlive();
        if (state.mounted) {
          throw IntegrationError("This Element is already mounted. Use `unmount` to unmount the Element before re-mounting.");
        }
        var node = typeof target === "string" ? document.querySelector(target) : target;
        if (!node || typeof node.appendChild !== "function") {
          throw IntegrationError(
            "The selector you specified (" + String(target) + ") applies to no DOM elements that are currently on the page.",
          );
        }
        container = node;
        dom = build();
        container.appendChild(dom.root);
        updateBrand();
        renderAll(false);
        state.mounted = true;
        setTimeout(function () {
          if (!state.mounted) return;
          emit("loaderstart", { elementType: "payment" });
          setTimeout(function () {
            if (!state.mounted) return;
            state.ready = true;
            emit("ready", { elementType: "payment" });
          }, 30);
        }, 0);
      },
      unmount: function () {
        assertAlive();
        if (dom && dom.root.parentNode) dom.root.parentNode.removeChild(dom.root);
        dom = null;
        container = null;
        state.mounted = false;
        state.ready = false;
        state.hasFocus = false;
      },
      destroy: function () {
        if (state.destroyed) return;
        element.unmount();
        state.destroyed = true;
        listeners = {};
        if (group.paymentElement === element) group.paymentElement = null;
      },
      on: on,
      off: off,
      once: once,
      addEventListener: on,
      removeEventListener: off,
      update: function (changes) {
        assertAlive();
        var c = changes || {};
        if (typeof c.readOnly === "boolean") {
          state.readOnly = c.readOnly;
          if (dom) [dom.number, dom.expiry, dom.cvc].forEach(function (i) {
            i.readOnly = state.readOnly;
          });
        }
      },
      focus: function () {
        assertAlive();
        if (dom) dom.number.focus();
      },
      blur: function () {
        assertAlive();
        if (dom && dom.root.contains(document.activeElement)) document.activeElement.blur();
      },
      clear: function () {
        assertAlive();
        state.number = "";
        state.expiry = "";
        state.cvc = "";
        state.touched = { number: false, expiry: false, cvc: false };
        if (dom) {
          dom.number.value = "";
          dom.expiry.value = "";
          dom.cvc.value = "";
          updateBrand();
          renderAll(false);
        }
        emit("change", changePayload());
      },
      collapse: function () {
        assertAlive();
        return element;
      },
      // -- for the Elements group and confirmPayment (not Stripe API)
      _isMounted: function () {
        return state.mounted && !state.destroyed;
      },
      _validate: function (show) {
        var e = errors();
        if (show) {
          state.touched = { number: true, expiry: true, cvc: true };
          renderAll(true);
        }
        return e.number || e.expiry || e.cvc || null;
      },
      _card: function () {
        var exp = parseExpiry(state.expiry);
        return { number: digits(), exp_month: String(Number(exp.month)), exp_year: String(2000 + Number(exp.year)), cvc: state.cvc };
      },
      _setBusy: function (busy) {
        if (!dom) return;
        [dom.number, dom.expiry, dom.cvc].forEach(function (i) {
          i.readOnly = busy || state.readOnly;
        });
      },
      _appearanceChanged: function () {
        if (dom) applyAppearance(dom.root, group.options.appearance);
      },
    };
    return element;
  }

  // ------------------------------------------------------------------------------------------ Elements group

  var ELEMENT_UPDATABLE = [
    "mode",
    "amount",
    "currency",
    "captureMethod",
    "setupFutureUsage",
    "paymentMethodTypes",
    "paymentMethodCreation",
    "appearance",
    "locale",
    "fonts",
    "loader",
    "onBehalfOf",
    "customerSessionClientSecret",
    "paymentMethodConfiguration",
  ];

  function checkDeferredOptions(options, where) {
    if (options.mode !== undefined && ["payment", "setup", "subscription"].indexOf(options.mode) < 0) {
      throw IntegrationError(where + ": `mode` must be one of payment, setup or subscription; you passed " + JSON.stringify(options.mode) + ".");
    }
    if (options.amount !== undefined && (typeof options.amount !== "number" || !Number.isInteger(options.amount) || options.amount < 0)) {
      throw IntegrationError(where + ": `amount` must be a non-negative integer in the currency's minor unit; you passed " + JSON.stringify(options.amount) + ".");
    }
    if (options.currency !== undefined && !/^[a-z]{3}$/.test(String(options.currency))) {
      throw IntegrationError(where + ": `currency` must be a lowercase three-letter ISO code; you passed " + JSON.stringify(options.currency) + ".");
    }
    if (options.captureMethod !== undefined && ["automatic", "automatic_async", "manual"].indexOf(options.captureMethod) < 0) {
      throw IntegrationError(where + ": `captureMethod` must be automatic, automatic_async or manual.");
    }
  }

  function createElements(options) {
    var opts = Object.assign({}, options || {});
    checkDeferredOptions(opts, "stripe.elements()");
    var group = {
      __sandbox: true,
      options: opts,
      paymentElement: null,
      submitted: false,
    };
    var elements = {
      __sandbox: true,
      create: function (type, elementOptions) {
        if (type !== "payment") {
          throw IntegrationError("The sandbox Stripe.js supports only the Payment Element; elements.create(" + JSON.stringify(type) + ") is not available.");
        }
        if (!group.options.clientSecret && !group.options.mode) {
          throw IntegrationError(
            "In order to create a payment element, you must pass a valid PaymentIntent or SetupIntent client secret when creating the Elements group, or a `mode` (deferred intent).",
          );
        }
        if (group.options.mode === "payment" && (group.options.amount === undefined || !group.options.currency)) {
          throw IntegrationError("In deferred-intent mode `payment`, stripe.elements() needs `amount` and `currency`.");
        }
        if (group.paymentElement) throw IntegrationError("Can only create one Element of type payment.");
        group.paymentElement = createPaymentElement(group, elementOptions || {});
        return group.paymentElement;
      },
      getElement: function (type) {
        return type === "payment" ? group.paymentElement : null;
      },
      update: function (changes) {
        var c = Object.assign({}, changes || {});
        Object.keys(c).forEach(function (k) {
          if (ELEMENT_UPDATABLE.indexOf(k) < 0) delete c[k];
        });
        checkDeferredOptions(c, "elements.update()");
        Object.assign(group.options, c);
        if (c.appearance !== undefined && group.paymentElement) group.paymentElement._appearanceChanged();
      },
      submit: function () {
        var element = group.paymentElement;
        if (!element || !element._isMounted()) {
          return Promise.reject(IntegrationError("elements.submit(): there is no mounted Payment Element to submit."));
        }
        var error = element._validate(true);
        if (error) {
          group.submitted = false;
          return Promise.resolve({ error: error });
        }
        group.submitted = true;
        return Promise.resolve({ selectedPaymentMethod: "card" });
      },
      fetchUpdates: function () {
        return Promise.resolve({});
      },
      on: function () {
        return elements;
      },
      off: function () {
        return elements;
      },
      _group: group,
    };
    return elements;
  }

  // ------------------------------------------------------------------------------------------ confirmation

  function successful(status) {
    return status === "succeeded" || status === "processing" || status === "requires_capture";
  }

  function redirectTo(returnUrl, pi) {
    var url = new URL(returnUrl, window.location.href);
    url.searchParams.set("payment_intent", pi.id);
    url.searchParams.set("payment_intent_client_secret", pi.client_secret || "");
    url.searchParams.set("redirect_status", successful(pi.status) ? "succeeded" : "failed");
    window.location.assign(url.toString());
    // The page is going away; like Stripe.js, the promise does not settle.
    return new Promise(function () {});
  }

  async function retrieve(publishableKey, id, clientSecret) {
    return request("GET", "/v1/payment_intents/" + encodeURIComponent(id), {
      query: encodeForm([
        ["key", publishableKey],
        ["client_secret", clientSecret],
      ]),
    });
  }

  /** After a confirm answered with a PaymentIntent: run the 3DS challenge if needed. → { paymentIntent } or { error }. */
  async function handleNextAction(publishableKey, pi, clientSecret) {
    if (pi.status !== "requires_action") return { paymentIntent: pi };
    var outcome = await challenge(pi);
    var auth = await request("POST", "/_emulator/payment_intents/" + encodeURIComponent(pi.id) + "/authenticate", {
      json: { outcome: outcome, client_secret: clientSecret },
    });
    if (auth.error) return { error: auth.error };
    var fresh = await retrieve(publishableKey, pi.id, clientSecret);
    if (fresh.error) return { error: fresh.error };
    var after = fresh.data;
    if (outcome === "fail") {
      return {
        error: {
          type: "invalid_request_error",
          code: "payment_intent_authentication_failure",
          message: AUTH_FAILED,
          payment_intent: after,
        },
      };
    }
    if (after.status === "requires_payment_method" && after.last_payment_error) {
      // Authenticated, then declined by the issuer (e.g. 4000 0082 6000 3178).
      var lpe = after.last_payment_error;
      var error = { type: lpe.type || "card_error", code: lpe.code, message: lpe.message, payment_intent: after };
      if (lpe.decline_code) error.decline_code = lpe.decline_code;
      if (lpe.doc_url) error.doc_url = lpe.doc_url;
      return { error: error };
    }
    return { paymentIntent: after };
  }

  async function confirmWithCard(publishableKey, clientSecret, card, extra) {
    var id = intentIdFrom(clientSecret);
    var pairs = [
      ["key", publishableKey],
      ["client_secret", clientSecret],
      ["payment_method_data[type]", "card"],
      ["payment_method_data[card][number]", card.number],
      ["payment_method_data[card][exp_month]", card.exp_month],
      ["payment_method_data[card][exp_year]", card.exp_year],
      ["payment_method_data[card][cvc]", card.cvc],
    ].concat(extra || []);
    return request("POST", "/v1/payment_intents/" + encodeURIComponent(id) + "/confirm", { form: encodeForm(pairs) });
  }

  function requireClientSecret(clientSecret, where) {
    if (typeof clientSecret !== "string" || !intentIdFrom(clientSecret)) {
      throw IntegrationError(where + ": expected a PaymentIntent client secret (pi_..._secret_...); you passed " + JSON.stringify(clientSecret) + ".");
    }
  }

  function unsupported(name) {
    return Promise.resolve({
      error: {
        type: "invalid_request_error",
        code: "sandbox_unsupported",
        message: "The sandbox Stripe.js does not implement " + name + "().",
      },
    });
  }

  // ------------------------------------------------------------------------------------------ Stripe()

  function Stripe(publishableKey, stripeOptions) {
    if (typeof publishableKey !== "string" || publishableKey === "") {
      throw IntegrationError("Invalid value for Stripe(): apiKey should be a string. You specified: " + typeof publishableKey + ".");
    }
    if (/^sk_/.test(publishableKey) || /^rk_/.test(publishableKey)) {
      throw IntegrationError("You should not use your secret key with Stripe.js. Please pass a publishable key instead.");
    }
    if (!/^pk_test_/.test(publishableKey)) {
      throw IntegrationError("The sandbox Stripe.js takes test publishable keys only (pk_test_...): it never moves real money.");
    }
    var wrappers = [];
    var appInfos = [];
    var key = publishableKey;

    var stripe = {
      __sandbox: true,
      _options: Object.assign({}, stripeOptions || {}),
      elements: function (options) {
        return createElements(options);
      },
      createToken: function () {
        return unsupported("createToken");
      },
      createPaymentMethod: function () {
        return unsupported("createPaymentMethod");
      },
      confirmPayment: async function (params) {
        var p = params || {};
        var elements = p.elements;
        if (!elements || !elements.__sandbox) {
          throw IntegrationError("stripe.confirmPayment(): expected `elements` created by this Stripe instance.");
        }
        var group = elements._group;
        var clientSecret = p.clientSecret || group.options.clientSecret;
        requireClientSecret(clientSecret, "stripe.confirmPayment()");
        var redirect = p.redirect === undefined ? "always" : p.redirect;
        if (redirect !== "always" && redirect !== "if_required") {
          throw IntegrationError("stripe.confirmPayment(): `redirect` must be \"always\" or \"if_required\".");
        }
        var confirmParams = p.confirmParams || {};
        var returnUrl = confirmParams.return_url;
        if (redirect === "always" && !returnUrl) {
          throw IntegrationError(
            "stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: 'if_required'`",
          );
        }
        var element = group.paymentElement;
        if (!element || !element._isMounted()) {
          throw IntegrationError("stripe.confirmPayment(): the Payment Element is not mounted.");
        }
        if (group.options.mode && !group.options.clientSecret && !group.submitted) {
          throw IntegrationError(
            "elements.submit() must be called before stripe.confirmPayment(). Call elements.submit() as soon as your customer presses pay, prior to any asynchronous work.",
          );
        }
        var invalid = element._validate(true);
        if (invalid) return { error: invalid };

        element._setBusy(true);
        var keepBusy = false;
        try {
          var extra = returnUrl ? [["return_url", new URL(returnUrl, window.location.href).toString()]] : [];
          var confirmed = await confirmWithCard(key, clientSecret, element._card(), extra);
          if (confirmed.error) return { error: confirmed.error };
          var result = await handleNextAction(key, confirmed.data, clientSecret);
          if (result.error) return result;
          var pi = result.paymentIntent;
          if (!successful(pi.status)) {
            return { error: { type: "invalid_request_error", code: "payment_intent_unexpected_state", message: "The PaymentIntent has status " + pi.status + ".", payment_intent: pi } };
          }
          if (redirect === "if_required") return { paymentIntent: pi };
          keepBusy = true;
          return redirectTo(returnUrl, pi);
        } finally {
          if (!keepBusy) element._setBusy(false);
          group.submitted = false;
        }
      },
      confirmCardPayment: async function (clientSecret, data, options) {
        requireClientSecret(clientSecret, "stripe.confirmCardPayment()");
        var pm = data && data.payment_method;
        var handleActions = !(options && options.handleActions === false);
        var confirmed;
        if (pm === undefined) {
          // No payment details: confirm with the PaymentMethod already on the PaymentIntent (e.g. a saved card).
          confirmed = await request("POST", "/v1/payment_intents/" + encodeURIComponent(intentIdFrom(clientSecret)) + "/confirm", {
            form: encodeForm([
              ["key", key],
              ["client_secret", clientSecret],
            ]),
          });
        } else if (typeof pm === "string") {
          confirmed = await request("POST", "/v1/payment_intents/" + encodeURIComponent(intentIdFrom(clientSecret)) + "/confirm", {
            form: encodeForm([
              ["key", key],
              ["client_secret", clientSecret],
              ["payment_method", pm],
            ]),
          });
        } else if (pm && pm.card && pm.card.__sandbox) {
          var invalid = pm.card._validate(true);
          if (invalid) return { error: invalid };
          confirmed = await confirmWithCard(key, clientSecret, pm.card._card(), []);
        } else {
          throw IntegrationError("stripe.confirmCardPayment(): pass `payment_method` as a PaymentMethod id or { card: element }.");
        }
        if (confirmed.error) return { error: confirmed.error };
        if (!handleActions) return { paymentIntent: confirmed.data };
        return handleNextAction(key, confirmed.data, clientSecret);
      },
      retrievePaymentIntent: async function (clientSecret) {
        requireClientSecret(clientSecret, "stripe.retrievePaymentIntent()");
        var result = await retrieve(key, intentIdFrom(clientSecret), clientSecret);
        return result.error ? { error: result.error } : { paymentIntent: result.data };
      },
      _registerWrapper: function (wrapper) {
        wrappers.push(wrapper);
      },
      registerAppInfo: function (info) {
        appInfos.push(info);
      },
      _sandboxInfo: function () {
        return { apiBase: apiBase(), wrappers: wrappers.slice(), appInfos: appInfos.slice() };
      },
    };
    return stripe;
  }

  Stripe.version = VERSION;
  Stripe.sandbox = true;
  window.Stripe = Stripe;
})();
