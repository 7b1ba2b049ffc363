// The hosted challenge page: talks to the challenge API with the client token from the URL fragment (never sent in
// requests or logs), and posts the outcome to the embedding merchant page's origin only.
(function () {
  'use strict';
  var parameters = new URLSearchParams(window.location.search);
  var challengeId = parameters.get('id') || '';
  // Set by the server only when the embedding origin is one the merchant registered.
  var parentOrigin = document.documentElement.getAttribute('data-parent-origin') || '';
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token') || '';
  var statusElement = document.getElementById('status');
  // The page's language and texts, chosen and written by the server from its catalogues (src/i18n/messages).
  var catalogue = JSON.parse(document.getElementById('messages').textContent);
  var locale = catalogue.language === 'nl' ? 'nl-NL' : 'en-NL';
  var labels = {
    otp_sms: 'sendSms',
    otp_email: 'sendEmail',
    passkey: 'usePasskey',
    bank_identification: 'bankIdentification',
    verification_payment: 'verificationPayment',
  };
  // Error codes to sentences: the API's own (English, technical) message is never shown to the shopper.
  var errorTexts = {
    invalid_code: 'error.invalidCode',
    challenge_locked: 'error.locked',
    proof_locked: 'error.locked',
    challenge_expired: 'error.expired',
    too_many_sends: 'error.tooManySends',
    too_many_attempts: 'error.tooManySends',
    challenge_already_used: 'error.notOpen',
    challenge_verified: 'error.notOpen',
    challenge_not_open: 'error.notOpen',
    code_not_sent: 'error.notOpen',
    method_not_allowed: 'error.methodNotAllowed',
    passkey_failed: 'error.passkeyFailed',
    invalid_passkey: 'error.passkeyFailed',
    proof_failed: 'error.bankFailed',
    name_mismatch: 'error.nameMismatch',
    address_mismatch: 'error.addressMismatch',
    date_of_birth_mismatch: 'error.dateOfBirthMismatch',
    bank_subject_conflict: 'error.bankSubjectConflict',
    proof_refused: 'error.proofRefused',
    proof_unavailable: 'error.proofUnavailable',
    network: 'error.network',
  };

  /** A catalogue text with its {name} placeholders filled (the widget's texts use no other ICU syntax). */
  function t(key, values) {
    var pattern = catalogue.messages[key] || catalogue.messages['error.generic'];
    return pattern.replace(/\{(\w+)\}/g, function (match, name) {
      return values && values[name] !== undefined ? String(values[name]) : match;
    });
  }

  function formatMoney(minorUnits, currency) {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency }).format(minorUnits / 100);
  }
  var proofPaths = { bank_identification: '/bank-identification', verification_payment: '/verification-payment' };
  var waiting = null;

  function setStatus(text, kind) {
    statusElement.textContent = text;
    statusElement.className = 'status ' + (kind || '');
    resize();
  }

  function post(message) {
    if (window.parent === window || !parentOrigin) return;
    message.source = 'rearguard';
    message.challenge_id = challengeId;
    window.parent.postMessage(message, parentOrigin);
  }

  // The host frame takes the page's own height, so nothing is cut off or left empty at any width.
  var lastHeight = 0;
  function resize() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    post({ type: 'resize', height: height });
  }
  if (typeof ResizeObserver === 'function') new ResizeObserver(resize).observe(document.documentElement);

  function api(method, path, body) {
    return fetch('/v1/challenges/' + encodeURIComponent(challengeId) + path, {
      method: method,
      headers: Object.assign(
        // Codes sent from here are written in the language this page speaks (unless the account chose one).
        { authorization: 'Bearer ' + token, 'accept-language': catalogue.language },
        body === undefined ? {} : { 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(
      function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw (json && json.error) || { code: 'error' };
          return json;
        });
      },
      function () {
        throw { code: 'network' };
      },
    );
  }

  function explain(error) {
    var code = (error && error.code) || '';
    if (code === 'invalid_code' && typeof error.attempts_remaining === 'number') {
      return t('error.invalidCode', { attempts: error.attempts_remaining });
    }
    return t(errorTexts[code] || 'error.generic');
  }

  function finish(result) {
    document.getElementById('methods').hidden = true;
    document.getElementById('code-form').hidden = true;
    document.getElementById('bank-link').hidden = true;
    waiting = null;
    setStatus(
      t(result.decision === 'approved' ? 'approved' : 'notApproved'),
      result.decision === 'approved' ? 'done' : 'error',
    );
    post({ type: 'result', result: result });
  }

  function send(method) {
    setStatus(t('sending'));
    api('POST', '/send', { method: method }).then(
      function (sent) {
        document.getElementById('code-form').hidden = false;
        document.getElementById('code').focus();
        setStatus(t('sent', { target: sent.target }));
      },
      function (error) {
        setStatus(explain(error), 'error');
      },
    );
  }

  function usePasskey() {
    setStatus(t('waitingPasskey'));
    api('POST', '/passkey/options', {})
      .then(function (options) {
        var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
        return navigator.credentials.get({ publicKey: publicKey });
      })
      .then(function (credential) {
        return api('POST', '/passkey/verify', { response: credential.toJSON() });
      })
      .then(finish, function (error) {
        // A refused or cancelled browser prompt is a DOMException, not an API error.
        setStatus(
          explain(error && error.code && typeof error.code === 'string' ? error : { code: 'passkey_failed' }),
          'error',
        );
      });
  }

  // A proof at the bank happens in a window of the bank (banks refuse to be framed): opened on the click, so no
  // popup blocker stops it, pointed at the bank once the proof has started; its return page tells us when done.
  function proveAtBank(method) {
    var path = proofPaths[method];
    var popup = window.open('', 'rearguard-bank', 'popup,width=520,height=760');
    setStatus(t('openingBank'));
    api('POST', path + '/start', {}).then(
      function (started) {
        if (popup && !popup.closed) popup.location.href = started.redirect_url;
        else {
          var link = document.getElementById('bank-open');
          link.href = started.redirect_url;
          document.getElementById('bank-link').hidden = false;
        }
        setStatus(t(method === 'bank_identification' ? 'atBankLogin' : 'atBankPay'));
        waitFor(path);
      },
      function (error) {
        if (popup) popup.close();
        setStatus(explain(error), 'error');
      },
    );
  }

  function waitFor(path) {
    waiting = path;
    check();
  }

  function check() {
    var path = waiting;
    if (!path) return;
    api('GET', path).then(
      function (outcome) {
        if (waiting !== path) return;
        if (outcome.status === 'verified') finish(outcome.result);
        else if (outcome.status === 'failed') {
          waiting = null;
          setStatus(explain(outcome.code ? outcome : { code: 'proof_failed' }), 'error');
        } else setTimeout(check, 2000);
      },
      function (error) {
        waiting = null;
        setStatus(explain(error), 'error');
      },
    );
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.source !== 'rearguard-proof') return;
    check();
  });

  function render(challenge) {
    var purchase = challenge.purchase;
    document.getElementById('purchase').textContent = t('purchase', {
      amount:
        typeof purchase.amount_value === 'number'
          ? formatMoney(purchase.amount_value, purchase.currency)
          : purchase.amount,
      merchant: purchase.merchant,
      address: purchase.delivery_address,
    });
    if (challenge.status !== 'pending') {
      setStatus(
        explain({
          code:
            challenge.status === 'locked'
              ? 'challenge_locked'
              : challenge.status === 'expired'
                ? 'challenge_expired'
                : 'challenge_not_open',
        }),
        'error',
      );
      return;
    }
    var container = document.getElementById('methods');
    challenge.methods.forEach(function (option, index) {
      var button = document.createElement('button');
      button.type = 'button';
      button.id = 'method-' + option.method;
      button.className = index === 0 ? '' : 'secondary';
      button.textContent = t(labels[option.method], { target: option.target || '' });
      button.addEventListener('click', function () {
        if (option.method === 'passkey') usePasskey();
        else if (proofPaths[option.method]) proveAtBank(option.method);
        else send(option.method);
      });
      container.appendChild(button);
    });
    if (challenge.sent) {
      document.getElementById('code-form').hidden = false;
      setStatus(t('sentBefore'));
    }
    resize();
  }

  document.getElementById('code-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus(t('checking'));
    api('POST', '/verify', { code: document.getElementById('code').value.trim() }).then(finish, function (error) {
      setStatus(explain(error), 'error');
    });
  });

  api('GET', '').then(render, function (error) {
    setStatus(explain(error), 'error');
  });
})();
