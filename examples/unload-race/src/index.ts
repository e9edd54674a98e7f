export { SCENARIO, THREAD_NAMES, unloadRace, type UnloadRace } from './unload-race.js';
