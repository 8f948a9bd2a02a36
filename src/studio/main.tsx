import { render } from "preact";
import { Studio } from "./studio";
import "./studio.css";

render(<Studio />, document.getElementById("studio")!);
