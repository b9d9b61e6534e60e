export { ATTR, otelListener } from "./otel-listener.js";
