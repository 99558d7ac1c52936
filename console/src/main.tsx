import { render } from "preact";
import { App } from "./app.tsx";
import { watchForBuilds } from "./devReload.ts";
import "./styles.css";

render(<App />, document.getElementById("app")!);
watchForBuilds();
