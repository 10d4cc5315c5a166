/** Electron main entry: everything happens in runApp (app.ts), which the tests drive with Electron mocked. */
import { runApp } from './app';

runApp();
