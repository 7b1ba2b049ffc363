// The page the bank sends the shopper back to: tell the waiting challenge widget (same origin) and close the popup.
(function () {
  'use strict';
  var outcome = document.getElementById('proof-outcome');
  if (window.opener && outcome) {
    window.opener.postMessage(
      { source: 'rearguard-proof', outcome: outcome.getAttribute('data-outcome') },
      window.location.origin,
    );
    setTimeout(function () {
      window.close();
    }, 800);
  }
})();
