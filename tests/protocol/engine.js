// rdf-test-suite needs an engine module; the protocol and service-description tests only talk HTTP to the
// endpoint given by the `protocolEndpoint` and `serviceDescriptionEndpoint` options, so nothing here runs.
module.exports = {
  parse: function () { return Promise.reject(new Error("only protocol tests run against this engine")); },
  query: function () { return Promise.reject(new Error("only protocol tests run against this engine")); },
};
