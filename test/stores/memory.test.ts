import { MemoryStore } from "../../src/stores/memory.js";
import { storeContract } from "./contract.js";

storeContract("memory", async () => new MemoryStore());
