// Rearguard checkout widget: the merchant page embeds this script; it shows the hosted challenge page in an iframe
// (so codes and passkeys are handled on Rearguard's origin, never by the shop's page) and reports the outcome back.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : '';
  var themeNames = [
    'accent',
    'accent-text',
    'text',
    'background',
    'muted-background',
    'error',
    'success',
    'radius',
    'font',
  ];
  var titles = { nl: 'Bevestig dat u het bent', en: 'Confirm it is you' };

  /** The merchant's `lang` option, else the first of the browser's languages we speak, else Dutch. */
  function languageOf(option) {
    if (option === 'nl' || option === 'en') return option;
    var preferred = navigator.languages || [navigator.language || ''];
    for (var index = 0; index < preferred.length; index++) {
      var primary = String(preferred[index]).toLowerCase().split('-')[0];
      if (primary === 'nl' || primary === 'en') return primary;
    }
    return 'nl';
  }

  /**
   * The theme: --rearguard-* variables the merchant set in CSS on the element (or above it), overridden by the
   * `theme` option ({ accent: '#0a7d4f' }). The frame is another origin, so the values travel in its URL.
   */
  function themeOf(element, option) {
    var computed = window.getComputedStyle(element);
    var pairs = [];
    themeNames.forEach(function (name) {
      var value = (option && option[name]) || computed.getPropertyValue('--rearguard-' + name).trim();
      if (value) pairs.push(name + ':' + value);
    });
    return pairs.join(';');
  }

  function mountChallenge(options) {
    var element = typeof options.element === 'string' ? document.querySelector(options.element) : options.element;
    if (!element) throw new Error('Rearguard: element not found');
    var source = options.baseUrl ? new URL(options.baseUrl).origin : base;
    var frame = document.createElement('iframe');
    var language = languageOf(options.lang);
    var theme = themeOf(element, options.theme);
    frame.src =
      source +
      '/widget/challenge?id=' +
      encodeURIComponent(options.challengeId) +
      '&origin=' +
      encodeURIComponent(window.location.origin) +
      '&lang=' +
      language +
      (theme ? '&theme=' + encodeURIComponent(theme) : '') +
      '#token=' +
      encodeURIComponent(options.clientToken);
    frame.title = titles[language];
    // Passkeys inside a cross-origin frame need the permission from the embedding page.
    frame.allow = 'publickey-credentials-get ' + source;
    frame.style.cssText =
      'display:block;width:100%;max-width:420px;height:360px;border:0;border-radius:12px;box-shadow:0 1px 6px rgba(0,0,0,.15)';
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
