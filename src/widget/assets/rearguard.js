// Rearguard checkout widget: the merchant page embeds this script; it shows the hosted challenge page in an iframe
// (so codes and passkeys are handled on Rearguard's origin, never by the shop's page) and reports the outcome back.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : '';

  function mountChallenge(options) {
    var element = typeof options.element === 'string' ? document.querySelector(options.element) : options.element;
    if (!element) throw new Error('Rearguard: element not found');
    var source = options.baseUrl ? new URL(options.baseUrl).origin : base;
    var frame = document.createElement('iframe');
    frame.src =
      source +
      '/widget/challenge?id=' +
      encodeURIComponent(options.challengeId) +
      '&origin=' +
      encodeURIComponent(window.location.origin) +
      '#token=' +
      encodeURIComponent(options.clientToken);
    frame.title = 'Confirm it is you';
    // Passkeys inside a cross-origin frame need the permission from the embedding page.
    frame.allow = 'publickey-credentials-get ' + source;
    frame.style.cssText =
      'width:100%;max-width:420px;height:360px;border:0;border-radius:12px;box-shadow:0 1px 6px rgba(0,0,0,.15)';
    element.appendChild(frame);

    function onMessage(event) {
      if (event.origin !== source || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.source !== 'rearguard' || data.challenge_id !== options.challengeId) return;
      if (data.type === 'resize' && typeof data.height === 'number') frame.style.height = data.height + 'px';
      if (data.type === 'result') {
        window.removeEventListener('message', onMessage);
        if (typeof options.onResult === 'function') options.onResult(data.result);
      }
    }
    window.addEventListener('message', onMessage);
    return {
      frame: frame,
      unmount: function () {
        window.removeEventListener('message', onMessage);
        frame.remove();
      },
    };
  }

  window.Rearguard = { mountChallenge: mountChallenge };
})();
