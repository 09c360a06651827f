// Passkeys (WebAuthn): forms marked data-passkey="register" or "login" ask the server for
// options, let the browser make or use the credential, and send the answer back as JSON.
// The server (py_webauthn) checks everything; this file only converts bytes to and from text.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    json.challenge = toBytes(json.challenge);
    json.user.id = toBytes(json.user.id);
    (json.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return json;
  }

  function requestOptions(json) {
    json.challenge = toBytes(json.challenge);
    (json.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return json;
  }

  function credentialJson(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      if (response.getTransports) { out.response.transports = response.getTransports(); }
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      if (response.userHandle) { out.response.userHandle = toText(response.userHandle); }
    }
    if (credential.authenticatorAttachment) {
      out.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return out;
  }

  function post(url, token, role, body) {
    var headers = { "X-CSRFToken": token, "Content-Type": "application/json" };
    // The acting role the page was rendered in (a person with several roles; see roles.py).
    if (role) { headers["X-Acting-Role"] = role; }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? "{}" : JSON.stringify(body)
    });
  }

  function start(form) {
    var error = form.querySelector("[data-passkey-error]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var roleField = form.querySelector("input[name=acting_role]");
    var role = roleField ? roleField.value : "";
    var registering = form.getAttribute("data-passkey") === "register";

    function fail(message) {
      error.textContent = message;
      error.hidden = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      if (!window.PublicKeyCredential || !navigator.credentials) {
        fail(form.getAttribute("data-unsupported"));
        return;
      }
      post(form.getAttribute("data-options-url"), token, role)
        .then(function (response) {
          if (!response.ok) { throw new Error("options"); }
          return response.json();
        })
        .then(function (options) {
          return registering
            ? navigator.credentials.create({ publicKey: creationOptions(options) })
            : navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          var body = { credential: credentialJson(credential) };
          var name = form.querySelector("[data-passkey-name]");
          if (name) { body.name = name.value; }
          return post(form.getAttribute("data-verify-url"), token, role, body);
        })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok || !answer.next) { throw new Error(answer.error || "refused"); }
            window.location.assign(answer.next);
          });
        })
        .catch(function () { fail(form.getAttribute("data-failed")); });
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(start);
})();
