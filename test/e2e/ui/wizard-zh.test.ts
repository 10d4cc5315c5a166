/** The setup wizard end to end in 中文, light and dark. */
import { wizardFlow } from './wizard-flow';
import { VARIANTS } from './world';

wizardFlow(VARIANTS.filter((v) => v.name.startsWith('zh-')));
