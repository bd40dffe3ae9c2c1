// The learning-rate schedules live in src/common/lr-schedule.ts (pure, so the Train panel draws the
// very curve a run will follow before it starts); the engine takes them from there.
export { learningRate, scheduleGamma, SCHEDULES, type ScheduleConfig, type ScheduleName } from '../common/lr-schedule.js';
