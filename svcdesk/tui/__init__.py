"""The Textual console. Entry: `launch.run_console(engine)`; factory: `app.make_app`."""
