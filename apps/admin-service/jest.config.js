module.exports = { preset: '@coffeebuddy/jest-preset' };
