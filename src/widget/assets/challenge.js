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
  var labels = {
    otp_sms: 'Send a code by SMS to ',
    otp_email: 'Send a code by e-mail to ',
    passkey: 'Use my passkey',
    bank_identification: 'Confirm with my bank (log in at your own bank)',
    verification_payment: 'Pay EUR 0.01 from my own bank account',
  };
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

  function resize() {
    post({ type: 'resize', height: document.body.offsetHeight + 40 });
  }

  function api(method, path, body) {
    return fetch('/v1/challenges/' + encodeURIComponent(challengeId) + path, {
      method: method,
      headers: Object.assign(
        { authorization: 'Bearer ' + token },
        body === undefined ? {} : { 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) {
          var error = (json && json.error) || { code: 'error', message: 'something went wrong' };
          throw error;
        }
        return json;
      });
    });
  }

  function explain(error) {
    if (error.code === 'invalid_code') return 'That code is not right. ' + error.attempts_remaining + ' attempts left.';
    if (error.code === 'challenge_locked') return 'Too many wrong attempts. This purchase cannot be confirmed here.';
    if (error.code === 'challenge_expired') return 'This took too long. Please start the checkout again.';
    if (error.code === 'too_many_sends') return 'Too many codes were sent. Please try again later.';
    return error.message || 'Something went wrong.';
  }

  function finish(result) {
    document.getElementById('methods').hidden = true;
    document.getElementById('code-form').hidden = true;
    document.getElementById('bank-link').hidden = true;
    waiting = null;
    setStatus(
      result.decision === 'approved'
        ? 'Thank you, your purchase is confirmed.'
        : 'This purchase could not be confirmed.',
      result.decision === 'approved' ? 'done' : 'error',
    );
    post({ type: 'result', result: result });
  }

  function send(method) {
    setStatus('Sending…');
    api('POST', '/send', { method: method }).then(
      function (sent) {
        document.getElementById('code-form').hidden = false;
        document.getElementById('code').focus();
        setStatus('We sent a code to ' + sent.target + '. It states the amount, the shop and the delivery address.');
      },
      function (error) {
        setStatus(explain(error), 'error');
      },
    );
  }

  function usePasskey() {
    setStatus('Waiting for your passkey…');
    api('POST', '/passkey/options', {})
      .then(function (options) {
        var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
        return navigator.credentials.get({ publicKey: publicKey });
      })
      .then(function (credential) {
        return api('POST', '/passkey/verify', { response: credential.toJSON() });
      })
      .then(finish, function (error) {
        setStatus(explain(error), 'error');
      });
  }

  // A proof at the bank happens in a window of the bank (banks refuse to be framed): opened on the click, so no
  // popup blocker stops it, pointed at the bank once the proof has started; its return page tells us when done.
  function proveAtBank(method) {
    var path = proofPaths[method];
    var popup = window.open('', 'rearguard-bank', 'popup,width=520,height=760');
    setStatus('Opening your bank…');
    api('POST', path + '/start', {}).then(
      function (started) {
        if (popup && !popup.closed) popup.location.href = started.redirect_url;
        else {
          var link = document.getElementById('bank-open');
          link.href = started.redirect_url;
          document.getElementById('bank-link').hidden = false;
        }
        setStatus(method === 'bank_identification' ? 'Log in at your bank and confirm.' : 'Pay EUR 0.01 at your bank.');
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
          setStatus(outcome.message || explain(outcome), 'error');
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
    document.getElementById('purchase').textContent =
      purchase.amount + ' at ' + purchase.merchant + ', delivery to ' + purchase.delivery_address;
    if (challenge.status !== 'pending') {
      setStatus(
        explain({
          code: 'challenge_' + (challenge.status === 'verified' ? 'already_used' : challenge.status),
          message: 'This confirmation is no longer open.',
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
      button.textContent = labels[option.method] + (option.target || '');
      button.addEventListener('click', function () {
        if (option.method === 'passkey') usePasskey();
        else if (proofPaths[option.method]) proveAtBank(option.method);
        else send(option.method);
      });
      container.appendChild(button);
    });
    if (challenge.sent) {
      document.getElementById('code-form').hidden = false;
      setStatus('We sent you a code. It states the amount, the shop and the delivery address.');
    }
    resize();
  }

  document.getElementById('code-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus('Checking…');
    api('POST', '/verify', { code: document.getElementById('code').value.trim() }).then(finish, function (error) {
      setStatus(explain(error), 'error');
    });
  });

  api('GET', '').then(render, function (error) {
    setStatus(explain(error), 'error');
  });
})();
